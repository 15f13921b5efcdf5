// Reads a generated client.properties the way Kafka's Java client does
// (java.util.Properties from an InputStream, i.e. ISO-8859-1 with escapes), prints every
// property, and parses its sasl.jaas.config with the JDK's own JAAS configuration parser.
// A client keystore (mutual TLS) is opened as the file says: its type, location and
// password, and every private key in it with ssl.key.password.
// Run: java tests/java/CheckConfig.java FILE
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.Collections;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.security.auth.login.AppConfigurationEntry;

public class CheckConfig {
    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        try (InputStream in = new FileInputStream(args[0])) {
            p.load(in);
        }
        for (String k : new TreeSet<>(p.stringPropertyNames())) {
            System.out.println("prop " + k + "=" + p.getProperty(k));
        }
        String jaas = p.getProperty("sasl.jaas.config");
        if (jaas != null) {
            Path f = Files.createTempFile("jaas", ".conf");
            Files.writeString(f, "KafkaClient {\n  " + jaas + "\n};\n");
            AppConfigurationEntry[] entries =
                new com.sun.security.auth.login.ConfigFile(f.toUri()).getAppConfigurationEntry("KafkaClient");
            for (AppConfigurationEntry e : entries) {
                System.out.println("jaas module=" + e.getLoginModuleName() + " flag=" + e.getControlFlag()
                    + " options=" + new TreeMap<>(e.getOptions()));
            }
            Files.delete(f);
        }
        String keystore = p.getProperty("ssl.keystore.location");
        if (keystore != null) {
            KeyStore ks = KeyStore.getInstance(p.getProperty("ssl.keystore.type", "JKS"));
            try (InputStream in = new FileInputStream(keystore)) {
                ks.load(in, p.getProperty("ssl.keystore.password", "").toCharArray());
            }
            char[] keyPassword = p.getProperty("ssl.key.password", "").toCharArray();
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    Key key = ks.getKey(alias, keyPassword);
                    System.out.println("keystore key alias=" + alias + " algorithm=" + key.getAlgorithm()
                        + " certificate=" + (ks.getCertificate(alias) != null));
                }
            }
        }
    }
}
