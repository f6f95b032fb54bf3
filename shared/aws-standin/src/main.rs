//! `aws-standin [PORT]`: the Chime/Connect stand-in on 127.0.0.1 (default port 4567).

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args().nth(1).and_then(|p| p.parse().ok()).unwrap_or(4567);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    eprintln!("aws-standin: Chime SDK Meetings and Connect on http://{}", listener.local_addr()?);
    aws_standin::serve(listener, aws_standin::StandIn::new()).await
}
