//! Just enough of Kafka's wire protocol to ask "is this a Kafka broker?": an
//! ApiVersions v0 request, which every broker answers before authentication (clients
//! send it first to learn what the broker speaks), and a check of its answer.
//!
//! Every message is a 4-byte big-endian size and then that many bytes. The v0 request
//! header is `api_key: i16 = 18`, `api_version: i16 = 0`, `correlation_id: i32`,
//! `client_id: string (i16 length)`; the v0 body is empty. The answer starts with the
//! correlation id, then `error_code: i16` and the array of supported API keys. A broker
//! that does not take v0 still answers, with error 35 (UNSUPPORTED_VERSION).

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The ApiVersions API key.
pub const API_VERSIONS: i16 = 18;
/// Kafka's UNSUPPORTED_VERSION error code.
pub const UNSUPPORTED_VERSION: i16 = 35;
/// The largest answer read: a real one is well under 2 KiB.
const MAX_ANSWER: usize = 64 * 1024;
const CLIENT_ID: &str = "msk-console";

/// The request, framed.
pub fn api_versions_request(correlation_id: i32) -> Vec<u8> {
    let mut body = Vec::with_capacity(32);
    body.extend_from_slice(&API_VERSIONS.to_be_bytes());
    body.extend_from_slice(&0i16.to_be_bytes());
    body.extend_from_slice(&correlation_id.to_be_bytes());
    body.extend_from_slice(&(CLIENT_ID.len() as i16).to_be_bytes());
    body.extend_from_slice(CLIENT_ID.as_bytes());
    let mut framed = Vec::with_capacity(body.len() + 4);
    framed.extend_from_slice(&(body.len() as i32).to_be_bytes());
    framed.extend_from_slice(&body);
    framed
}

/// What the broker said.
#[derive(Debug, PartialEq, Eq)]
pub struct Answer {
    pub error_code: i16,
    /// How many API keys it listed (0 with an error).
    pub apis: usize,
}

/// Reads and checks the answer to the request with `correlation_id`.
pub fn parse_answer(correlation_id: i32, body: &[u8]) -> Result<Answer, String> {
    let not_kafka = |why: &str| Err(format!("not a Kafka answer to ApiVersions: {why}"));
    if body.len() < 6 {
        return not_kafka("too short");
    }
    let got = i32::from_be_bytes([body[0], body[1], body[2], body[3]]);
    if got != correlation_id {
        return not_kafka("another correlation id");
    }
    let error_code = i16::from_be_bytes([body[4], body[5]]);
    let apis = if body.len() >= 10 {
        let n = i32::from_be_bytes([body[6], body[7], body[8], body[9]]);
        // Each entry is 6 bytes (key, min, max); a count the body cannot hold is not Kafka.
        match usize::try_from(n) {
            Ok(n) if n * 6 <= body.len() - 10 => n,
            _ if error_code != 0 => 0,
            _ => return not_kafka("a malformed list of APIs"),
        }
    } else {
        0
    };
    if error_code != 0 && error_code != UNSUPPORTED_VERSION {
        return not_kafka(&format!("error code {error_code}"));
    }
    Ok(Answer { error_code, apis })
}

/// Sends ApiVersions on `stream` and reads the answer.
pub async fn ask<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S) -> Result<Answer, String> {
    let correlation_id = 0x6d73_6b63; // "mskc"
    stream
        .write_all(&api_versions_request(correlation_id))
        .await
        .map_err(|e| format!("the connection broke while asking ApiVersions: {e}"))?;
    stream.flush().await.map_err(|e| e.to_string())?;
    let mut size = [0u8; 4];
    stream
        .read_exact(&mut size)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => {
                "the server closed the connection without a Kafka answer".to_string()
            }
            _ => format!("no Kafka answer: {e}"),
        })?;
    let size = i32::from_be_bytes(size);
    let size = match usize::try_from(size) {
        Ok(n) if (6..=MAX_ANSWER).contains(&n) => n,
        _ => return Err("not a Kafka answer to ApiVersions: an impossible size".into()),
    };
    let mut body = vec![0u8; size];
    stream
        .read_exact(&mut body)
        .await
        .map_err(|_| "the Kafka answer broke off".to_string())?;
    parse_answer(correlation_id, &body)
}

/// The broker side, for stand-ins (sample mode, tests): reads one ApiVersions request
/// and answers it with a v0 list of a few APIs. Returns false on anything else.
pub async fn answer<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S) -> bool {
    let mut size = [0u8; 4];
    if stream.read_exact(&mut size).await.is_err() {
        return false;
    }
    let size = i32::from_be_bytes(size);
    if !(8..=1024).contains(&size) {
        return false;
    }
    let mut req = vec![0u8; size as usize];
    if stream.read_exact(&mut req).await.is_err() {
        return false;
    }
    if i16::from_be_bytes([req[0], req[1]]) != API_VERSIONS {
        return false;
    }
    let correlation = &req[4..8];
    // The answer is written in ApiVersions v0's format. A client asking a later version
    // gets what a broker answers a version it does not serve (KIP-511): error
    // UNSUPPORTED_VERSION in v0's format, so the client asks again with v0. (librdkafka
    // would read a v0 body as a v3 one and abort.)
    let version = i16::from_be_bytes([req[2], req[3]]);
    let (error, apis): (i16, &[(i16, i16, i16)]) = if version > 0 {
        (35, &[(18, 0, 0)])
    } else {
        // Produce 0-9, Fetch 0-13, Metadata 0-12, ApiVersions 0-3.
        (0, &[(0, 0, 9), (1, 0, 13), (3, 0, 12), (18, 0, 3)])
    };
    let mut body = Vec::new();
    body.extend_from_slice(correlation);
    body.extend_from_slice(&error.to_be_bytes());
    body.extend_from_slice(&(apis.len() as i32).to_be_bytes());
    for &(k, min, max) in apis {
        for v in [k, min, max] {
            body.extend_from_slice(&v.to_be_bytes());
        }
    }
    let mut framed = (body.len() as i32).to_be_bytes().to_vec();
    framed.extend_from_slice(&body);
    stream.write_all(&framed).await.is_ok() && stream.flush().await.is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_is_framed_as_kafka_documents_it() {
        let r = api_versions_request(7);
        assert_eq!(&r[..4], &(r.len() as i32 - 4).to_be_bytes());
        assert_eq!(&r[4..6], &[0, 18]);
        assert_eq!(&r[6..8], &[0, 0]);
        assert_eq!(&r[8..12], &[0, 0, 0, 7]);
        assert_eq!(&r[12..14], &[0, 11]);
        assert_eq!(&r[14..], b"msk-console");
    }

    #[tokio::test]
    async fn a_stand_in_broker_answers_and_the_answer_is_checked() {
        let (mut client, mut server) = tokio::io::duplex(4096);
        let broker = tokio::spawn(async move { answer(&mut server).await });
        assert_eq!(
            ask(&mut client).await,
            Ok(Answer {
                error_code: 0,
                apis: 4
            })
        );
        assert!(broker.await.unwrap());
        // Someone else's answer, an HTTP server, an error code, a silly size.
        assert!(parse_answer(1, &[0, 0, 0, 2, 0, 0])
            .unwrap_err()
            .contains("correlation"));
        assert!(parse_answer(1, b"HTTP/1.1 400").is_err());
        assert!(parse_answer(1, &[0, 0, 0, 1, 0, 3])
            .unwrap_err()
            .contains("error code 3"));
        assert_eq!(
            parse_answer(1, &[0, 0, 0, 1, 0, 35]).unwrap().error_code,
            35
        );
        assert!(parse_answer(1, &[0, 0, 0, 1, 0, 0, 0x7f, 0, 0, 0]).is_err());
        let (mut client, mut server) = tokio::io::duplex(4096);
        tokio::spawn(async move {
            let mut buf = [0u8; 64];
            let _ = server.read(&mut buf).await;
            let _ = server.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        });
        assert!(ask(&mut client)
            .await
            .unwrap_err()
            .contains("impossible size"));
    }
}
