//! Go producers for one auth mode, as a `main` package: Sarama and franz-go.
//!
//! - Sarama (<https://github.com/IBM/sarama>): TLS through `Net.TLS`, SCRAM through
//!   `Net.SASL` with an `xdg-go/scram` client as Sarama's own example does, IAM as
//!   OAUTHBEARER with AWS's signer (`aws-msk-iam-sasl-signer-go`) as the token provider,
//!   as its README shows (<https://github.com/aws/aws-msk-iam-sasl-signer-go>).
//! - franz-go (<https://github.com/twmb/franz-go>): `kgo.DialTLSConfig`, `scram.Auth`'s
//!   SHA-512 mechanism, and for IAM its own `sasl/aws` mechanism (`ManagedStreamingIAM`)
//!   with credentials from the AWS SDK for Go v2.
//!
//! Every value is a Go string literal (JSON's escapes, which Go reads the same).

use super::{
    begin, mutual_tls, producer_notes, quoted, slash_comments, Client, OptionField, ValidOptions,
};
use crate::error::AppError;
use crate::model::{Auth, Cluster, Listener};

/// A Go Kafka client library.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GoClient {
    Sarama,
    FranzGo,
}

/// The TLS configuration lines (a `*tls.Config` named `tlsConfig`).
fn tls_config(options: &ValidOptions, mtls: bool) -> String {
    let mut s = String::from("\ttlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}\n");
    if let Some(ca) = options.get(OptionField::CaLocation) {
        s.push_str(&format!(
            "\tpem, err := os.ReadFile({})\n\tif err != nil {{\n\t\treturn nil, err\n\t}}\n\
             \tpool := x509.NewCertPool()\n\tpool.AppendCertsFromPEM(pem)\n\ttlsConfig.RootCAs = pool\n",
            quoted(ca)
        ));
    } else {
        s.push_str(
            "\t// RootCAs nil: the system's CA certificates (Amazon's roots are among them).\n",
        );
    }
    if mtls {
        s.push_str(&format!(
            "\t// Mutual TLS: the client certificate and its key (PEM, unencrypted).\n\
             \tcert, err := tls.LoadX509KeyPair({}, {})\n\tif err != nil {{\n\t\treturn nil, err\n\t}}\n\
             \ttlsConfig.Certificates = []tls.Certificate{{cert}}\n",
            quoted(options.get_or(
                OptionField::CertificateLocation,
                super::DEFAULT_CERTIFICATE_LOCATION
            )),
            quoted(options.get_or(OptionField::KeyLocation, super::DEFAULT_KEY_LOCATION))
        ));
    }
    s
}

/// A Go `main` package that builds a producer for one auth mode with `client`.
pub fn go_client(
    cluster: &Cluster,
    mode: Listener,
    client: GoClient,
    options: &ValidOptions,
    generated_at: &str,
) -> Result<String, AppError> {
    let what = match client {
        GoClient::Sarama => "Sarama producer (Go)",
        GoClient::FranzGo => "franz-go producer (Go)",
    };
    let (bootstrap, header) = begin(cluster, mode, what, generated_at)?;
    let listener = bootstrap.listener;
    let auth = listener.auth();
    let mtls = auth == Auth::Tls && mutual_tls(cluster, listener);
    let tls = auth != Auth::None;
    let notes = producer_notes(cluster, listener, Client::Go(client), "");
    let mut out = slash_comments(&header, &notes);
    out.push_str("package main\n\nimport (\n");
    let mut imports: Vec<&str> = vec!["\"log\"", "\"strings\""];
    if client == GoClient::FranzGo || auth == Auth::Iam {
        imports.push("\"context\"");
    }
    if tls {
        imports.push("\"crypto/tls\"");
        if options.get(OptionField::CaLocation).is_some() {
            imports.extend(["\"crypto/x509\"", "\"os\""]);
        }
    }
    let mut third: Vec<&str> = Vec::new();
    match client {
        GoClient::Sarama => {
            third.push("\"github.com/IBM/sarama\"");
            match auth {
                Auth::Scram => {
                    imports.push("\"crypto/sha512\"");
                    third.push("\"github.com/xdg-go/scram\"");
                }
                Auth::Iam => {
                    third.push("signer \"github.com/aws/aws-msk-iam-sasl-signer-go/signer\"")
                }
                _ => {}
            }
        }
        GoClient::FranzGo => {
            third.push("\"github.com/twmb/franz-go/pkg/kgo\"");
            match auth {
                Auth::Scram => third.push("\"github.com/twmb/franz-go/pkg/sasl/scram\""),
                Auth::Iam => third.extend([
                    "awssasl \"github.com/twmb/franz-go/pkg/sasl/aws\"",
                    "awsconfig \"github.com/aws/aws-sdk-go-v2/config\"",
                ]),
                _ => {}
            }
        }
    }
    imports.sort_unstable();
    for i in &imports {
        out.push_str(&format!("\t{i}\n"));
    }
    out.push('\n');
    for i in &third {
        out.push_str(&format!("\t{i}\n"));
    }
    out.push_str(")\n\n");
    out.push_str(&format!(
        "var bootstrapServers = strings.Split({}, \",\")\n\nconst topic = \"msk-console-test\"\n",
        quoted(&bootstrap.servers)
    ));
    if auth == Auth::Iam {
        out.push_str(&format!("const region = {}\n", quoted(&cluster.region)));
    }
    if auth == Auth::Scram {
        out.push_str(&format!(
            "const username = {}\nconst password = \"<password>\" // from the AmazonMSK_ secret in Secrets Manager\n",
            quoted(options.get_or(OptionField::ScramUsername, "<username>"))
        ));
    }
    out.push('\n');
    match client {
        GoClient::Sarama => sarama(&mut out, auth, options, mtls),
        GoClient::FranzGo => franz(&mut out, auth, options, mtls),
    }
    Ok(out)
}

fn sarama(out: &mut String, auth: Auth, options: &ValidOptions, mtls: bool) {
    match auth {
        Auth::Scram => out.push_str(
            "// A SCRAM client for Sarama, as Sarama's own example builds it on xdg-go/scram.\n\
             type scramClient struct {\n\t*scram.Client\n\t*scram.ClientConversation\n\tscram.HashGeneratorFcn\n}\n\n\
             func (x *scramClient) Begin(user, pass, authzID string) (err error) {\n\
             \tx.Client, err = x.HashGeneratorFcn.NewClient(user, pass, authzID)\n\tif err != nil {\n\t\treturn err\n\t}\n\
             \tx.ClientConversation = x.Client.NewConversation()\n\treturn nil\n}\n\n\
             func (x *scramClient) Step(challenge string) (string, error) {\n\treturn x.ClientConversation.Step(challenge)\n}\n\n\
             func (x *scramClient) Done() bool { return x.ClientConversation.Done() }\n\n",
        ),
        Auth::Iam => {
            let call = if let Some(role) = options.get(OptionField::AwsRoleArn) {
                format!(
                    "signer.GenerateAuthTokenFromRole(context.TODO(), region, {}, {})",
                    quoted(role),
                    quoted(options.get_or(OptionField::AwsRoleSessionName, "msk-client"))
                )
            } else if let Some(p) = options.get(OptionField::AwsProfile) {
                format!(
                    "signer.GenerateAuthTokenFromProfile(context.TODO(), region, {})",
                    quoted(p)
                )
            } else {
                "signer.GenerateAuthToken(context.TODO(), region)".into()
            };
            out.push_str(&format!(
                "// An OAUTHBEARER token signed with this machine's AWS credentials.\n\
                 type mskTokenProvider struct{{}}\n\n\
                 func (mskTokenProvider) Token() (*sarama.AccessToken, error) {{\n\
                 \ttoken, _, err := {call}\n\treturn &sarama.AccessToken{{Token: token}}, err\n}}\n\n"
            ));
        }
        _ => {}
    }
    out.push_str("func newConfig() (*sarama.Config, error) {\n\tconfig := sarama.NewConfig()\n");
    out.push_str("\tconfig.Producer.Return.Successes = true\n");
    if auth != Auth::None {
        out.push_str(&tls_config(options, mtls));
        out.push_str("\tconfig.Net.TLS.Enable = true\n\tconfig.Net.TLS.Config = tlsConfig\n");
    }
    match auth {
        Auth::Scram => out.push_str(
            "\tconfig.Net.SASL.Enable = true\n\tconfig.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA512\n\
             \tconfig.Net.SASL.User = username\n\tconfig.Net.SASL.Password = password\n\
             \tconfig.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient {\n\
             \t\treturn &scramClient{HashGeneratorFcn: sha512.New}\n\t}\n",
        ),
        Auth::Iam => out.push_str(
            "\tconfig.Net.SASL.Enable = true\n\tconfig.Net.SASL.Mechanism = sarama.SASLTypeOAuth\n\
             \tconfig.Net.SASL.TokenProvider = mskTokenProvider{}\n\tconfig.Metadata.Retry.Backoff = time.Second\n",
        ),
        _ => {}
    }
    out.push_str("\treturn config, nil\n}\n\n");
    out.push_str(
        "func main() {\n\tconfig, err := newConfig()\n\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n\
         \tproducer, err := sarama.NewSyncProducer(bootstrapServers, config)\n\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n\
         \tdefer producer.Close()\n\
         \tif _, _, err := producer.SendMessage(&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(\"hello from msk-console\")}); err != nil {\n\
         \t\tlog.Fatal(err)\n\t}\n}\n",
    );
    if auth == Auth::Iam {
        *out = out.replacen("\t\"strings\"\n", "\t\"strings\"\n\t\"time\"\n", 1);
    }
}

fn franz(out: &mut String, auth: Auth, options: &ValidOptions, mtls: bool) {
    out.push_str("func newClient() (*kgo.Client, error) {\n\topts := []kgo.Opt{kgo.SeedBrokers(bootstrapServers...)}\n");
    if auth != Auth::None {
        out.push_str(&tls_config(options, mtls));
        out.push_str("\topts = append(opts, kgo.DialTLSConfig(tlsConfig))\n");
    }
    match auth {
        Auth::Scram => out.push_str(
            "\topts = append(opts, kgo.SASL(scram.Auth{User: username, Pass: password}.AsSha512Mechanism()))\n",
        ),
        Auth::Iam => {
            let load = match options.get(OptionField::AwsProfile) {
                Some(p) => format!(
                    "awsconfig.LoadDefaultConfig(context.TODO(), awsconfig.WithRegion(region), awsconfig.WithSharedConfigProfile({}))",
                    quoted(p)
                ),
                None => "awsconfig.LoadDefaultConfig(context.TODO(), awsconfig.WithRegion(region))".into(),
            };
            out.push_str(&format!(
                "\tcfg, err := {load}\n\tif err != nil {{\n\t\treturn nil, err\n\t}}\n\
                 \t// franz-go signs MSK IAM itself (AWS_MSK_IAM), with credentials from the AWS SDK.\n\
                 \topts = append(opts, kgo.SASL(awssasl.ManagedStreamingIAM(func(ctx context.Context) (awssasl.Auth, error) {{\n\
                 \t\tc, err := cfg.Credentials.Retrieve(ctx)\n\t\tif err != nil {{\n\t\t\treturn awssasl.Auth{{}}, err\n\t\t}}\n\
                 \t\treturn awssasl.Auth{{AccessKey: c.AccessKeyID, SecretKey: c.SecretAccessKey, SessionToken: c.SessionToken}}, nil\n\
                 \t}})))\n"
            ));
        }
        _ => {}
    }
    out.push_str("\treturn kgo.NewClient(opts...)\n}\n\n");
    out.push_str(
        "func main() {\n\tclient, err := newClient()\n\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n\tdefer client.Close()\n\
         \trecord := &kgo.Record{Topic: topic, Value: []byte(\"hello from msk-console\")}\n\
         \tif err := client.ProduceSync(context.Background(), record).FirstErr(); err != nil {\n\t\tlog.Fatal(err)\n\t}\n}\n",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::client::fixtures::{cluster, T};
    use crate::generate::client::ClientOptions;

    fn go(client: GoClient, mode: Listener) -> String {
        go_client(
            &cluster(),
            mode,
            client,
            &ClientOptions::default().parse().unwrap(),
            T,
        )
        .unwrap()
    }

    #[test]
    fn sarama_iam_follows_the_signers_readme() {
        let g = go(GoClient::Sarama, Listener::SaslIam);
        assert!(g.contains("signer \"github.com/aws/aws-msk-iam-sasl-signer-go/signer\""));
        assert!(g.contains("token, _, err := signer.GenerateAuthToken(context.TODO(), region)"));
        assert!(g.contains("return &sarama.AccessToken{Token: token}, err"));
        assert!(g.contains("config.Net.SASL.Mechanism = sarama.SASLTypeOAuth"));
        assert!(g.contains("config.Net.TLS.Enable = true"));
        assert!(g.contains("\t\"time\"\n"));
    }

    #[test]
    fn franz_go_uses_its_own_msk_iam_mechanism() {
        let g = go(GoClient::FranzGo, Listener::SaslIam);
        assert!(g.contains("awssasl \"github.com/twmb/franz-go/pkg/sasl/aws\""));
        assert!(g.contains("kgo.SASL(awssasl.ManagedStreamingIAM("));
        assert!(g.contains("kgo.DialTLSConfig(tlsConfig)"));
        let s = go(GoClient::FranzGo, Listener::SaslScram);
        assert!(s.contains("scram.Auth{User: username, Pass: password}.AsSha512Mechanism()"));
    }

    #[test]
    fn the_header_is_go_comments() {
        let g = go(GoClient::Sarama, Listener::Tls);
        assert!(
            g.lines()
                .take_while(|l| !l.starts_with("package"))
                .all(|l| l.starts_with("//") || l.is_empty()),
            "{g}"
        );
    }
}
