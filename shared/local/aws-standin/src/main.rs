//! `aws-standin [PORT | HOST:PORT]`: the Chime/Connect stand-in, on 127.0.0.1 unless a host is
//! given (default port 4567). `make local-aws` serves it on every interface for `sam local`.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let arg = std::env::args().nth(1).unwrap_or_else(|| "4567".into());
    let address = if arg.contains(':') { arg } else { format!("127.0.0.1:{arg}") };
    let listener = tokio::net::TcpListener::bind(&address).await?;
    eprintln!("aws-standin: Chime SDK Meetings and Connect on http://{}", listener.local_addr()?);
    aws_standin::serve(listener, aws_standin::StandIn::new()).await
}
