//! A .NET producer for one auth mode: Confluent.Kafka, with IAM through AWS's signer,
//! `AWS.MSK.Auth`, as an OAUTHBEARER refresh handler, in the lines of its README
//! (<https://github.com/aws/aws-msk-iam-sasl-signer-net>). A C# top-level program
//! (.NET 6 or later). Every value is a C# string literal (JSON's escapes, which C# reads
//! the same).

use super::{
    begin, mutual_tls, producer_notes, quoted, slash_comments, Client, OptionField, ValidOptions,
};
use crate::error::AppError;
use crate::model::{Auth, Cluster, Listener};

/// The signer call for the chosen credentials.
fn signer_call(options: &ValidOptions) -> String {
    if let Some(role) = options.get(OptionField::AwsRoleArn) {
        match options.get(OptionField::AwsRoleSessionName) {
            Some(s) => format!(
                "tokens.GenerateAuthTokenFromRole(region, {}, {})",
                quoted(role),
                quoted(s)
            ),
            None => format!("tokens.GenerateAuthTokenFromRole(region, {})", quoted(role)),
        }
    } else if let Some(p) = options.get(OptionField::AwsProfile) {
        format!("tokens.GenerateAuthTokenFromProfile({}, region)", quoted(p))
    } else {
        "tokens.GenerateAuthToken(region)".into()
    }
}

/// The C# program for one auth mode of one cluster.
pub fn dotnet_client(
    cluster: &Cluster,
    mode: Listener,
    options: &ValidOptions,
    generated_at: &str,
) -> Result<String, AppError> {
    let (bootstrap, header) = begin(
        cluster,
        mode,
        "Confluent.Kafka producer (.NET)",
        generated_at,
    )?;
    let listener = bootstrap.listener;
    let auth = listener.auth();
    let mtls = auth == Auth::Tls && mutual_tls(cluster, listener);
    let notes = producer_notes(cluster, listener, Client::Dotnet, "");
    let mut out = slash_comments(&header, &notes);
    out.push_str("using Confluent.Kafka;\n");
    if auth == Auth::Iam {
        out.push_str("using AWS.MSK.Auth;\n");
    }
    out.push_str("\nconst string topic = \"msk-console-test\";\n\n");
    out.push_str("var config = new ProducerConfig\n{\n");
    out.push_str(&format!(
        "    BootstrapServers = {},\n",
        quoted(&bootstrap.servers)
    ));
    let protocol = match auth {
        Auth::None => "Plaintext",
        Auth::Tls => "Ssl",
        Auth::Scram | Auth::Iam => "SaslSsl",
    };
    out.push_str(&format!(
        "    SecurityProtocol = SecurityProtocol.{protocol},\n"
    ));
    if auth != Auth::None {
        match options.get(OptionField::CaLocation) {
            Some(ca) => out.push_str(&format!("    SslCaLocation = {},\n", quoted(ca))),
            None => out.push_str(
                "    // No SslCaLocation: the system's CA certificates (Amazon's roots are among them).\n",
            ),
        }
    }
    if mtls {
        out.push_str(&format!(
            "    SslCertificateLocation = {},\n    SslKeyLocation = {},\n    SslKeyPassword = {},\n",
            quoted(options.get_or(
                OptionField::CertificateLocation,
                super::DEFAULT_CERTIFICATE_LOCATION
            )),
            quoted(options.get_or(OptionField::KeyLocation, super::DEFAULT_KEY_LOCATION)),
            quoted(options.get_or(OptionField::KeyPassword, super::KEY_PASSWORD_PLACEHOLDER))
        ));
    }
    match auth {
        Auth::Scram => out.push_str(&format!(
            "    SaslMechanism = SaslMechanism.ScramSha512,\n    SaslUsername = {},\n    \
             SaslPassword = \"<password>\", // from the AmazonMSK_ secret in Secrets Manager\n",
            quoted(options.get_or(OptionField::ScramUsername, "<username>"))
        )),
        Auth::Iam => out.push_str(
            "    SaslMechanism = SaslMechanism.OAuthBearer,\n    ReconnectBackoffMs = 1000,\n",
        ),
        _ => {}
    }
    out.push_str("};\n\n");
    let builder = if auth == Auth::Iam {
        out.push_str(&format!(
            "var region = Amazon.RegionEndpoint.GetBySystemName({});\n\
             var tokens = new AWSMSKAuthTokenGenerator();\n\n\
             // librdkafka asks for a token before the first connection and before each expires.\n\
             void OauthCallback(IClient client, string cfg)\n{{\n    try\n    {{\n        \
             var (token, expiryMs) = {};\n        \
             client.OAuthBearerSetToken(token, expiryMs, \"DummyPrincipal\");\n    }}\n    \
             catch (Exception e)\n    {{\n        client.OAuthBearerSetTokenFailure(e.ToString());\n    }}\n}}\n\n",
            quoted(&cluster.region),
            signer_call(options)
        ));
        "new ProducerBuilder<string, string>(config)\n    .SetOAuthBearerTokenRefreshHandler(OauthCallback)\n    .Build()"
    } else {
        "new ProducerBuilder<string, string>(config).Build()"
    };
    out.push_str(&format!(
        "using var producer = {builder};\n\
         var report = await producer.ProduceAsync(topic, new Message<string, string> {{ Value = \"hello from msk-console\" }});\n\
         Console.WriteLine($\"Produced to {{report.TopicPartitionOffset}}\");\n"
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::client::fixtures::{cluster, T};
    use crate::generate::client::ClientOptions;

    #[test]
    fn iam_follows_the_signers_readme() {
        let cs = dotnet_client(
            &cluster(),
            Listener::SaslIam,
            &ClientOptions::default().parse().unwrap(),
            T,
        )
        .unwrap();
        for line in [
            "using AWS.MSK.Auth;",
            "    SecurityProtocol = SecurityProtocol.SaslSsl,",
            "    SaslMechanism = SaslMechanism.OAuthBearer,",
            "var tokens = new AWSMSKAuthTokenGenerator();",
            "void OauthCallback(IClient client, string cfg)",
            "        var (token, expiryMs) = tokens.GenerateAuthToken(region);",
            "        client.OAuthBearerSetToken(token, expiryMs, \"DummyPrincipal\");",
            "        client.OAuthBearerSetTokenFailure(e.ToString());",
            "    .SetOAuthBearerTokenRefreshHandler(OauthCallback)",
        ] {
            assert!(cs.lines().any(|l| l == line), "missing {line:?} in\n{cs}");
        }
        assert!(cs.contains("Amazon.RegionEndpoint.GetBySystemName(\"eu-west-1\")"));
    }

    #[test]
    fn scram_and_a_profile() {
        let cs = dotnet_client(
            &cluster(),
            Listener::SaslScram,
            &ClientOptions::default()
                .with(OptionField::ScramUsername, "alice")
                .parse()
                .unwrap(),
            T,
        )
        .unwrap();
        assert!(cs.contains(
            "    SaslMechanism = SaslMechanism.ScramSha512,\n    SaslUsername = \"alice\","
        ));
        let p = dotnet_client(
            &cluster(),
            Listener::SaslIam,
            &ClientOptions::default()
                .with(OptionField::AwsProfile, "prod")
                .parse()
                .unwrap(),
            T,
        )
        .unwrap();
        assert!(p.contains("tokens.GenerateAuthTokenFromProfile(\"prod\", region)"));
    }
}
