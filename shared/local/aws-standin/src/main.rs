//! `aws-standin [PORT | HOST:PORT]`: the Chime/Connect/media-pipelines stand-in, on 127.0.0.1
//! unless a host is given (default port 4567). `make local-aws` serves it on every interface for
//! `sam local`. With `AWS_ENDPOINT_URL` set (the local AWS), its pipelines write their files to
//! that S3.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let arg = std::env::args().nth(1).unwrap_or_else(|| "4567".into());
    let address = if arg.contains(':') { arg } else { format!("127.0.0.1:{arg}") };
    let listener = tokio::net::TcpListener::bind(&address).await?;
    let standin = match std::env::var("AWS_ENDPOINT_URL") {
        Ok(endpoint) if !endpoint.is_empty() => {
            let config = aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await;
            let s3 = aws_sdk_s3::config::Builder::from(&config).force_path_style(true).build();
            aws_standin::StandIn::with_s3(aws_sdk_s3::Client::from_conf(s3))
        }
        _ => aws_standin::StandIn::new(),
    };
    eprintln!("aws-standin: Chime SDK Meetings, media pipelines and Connect on http://{}", listener.local_addr()?);
    aws_standin::serve(listener, standin).await
}
