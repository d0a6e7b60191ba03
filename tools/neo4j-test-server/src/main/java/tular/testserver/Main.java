package tular.testserver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.config.Setting;

/**
 * Starts a Neo4j 5 DBMS with a Bolt connector on 127.0.0.1:PORT and keeps it running until
 * the process is told to stop (SIGTERM/SIGINT) or killed.
 *
 * Usage: java -cp ... tular.testserver.Main DATA_DIR PORT
 *
 * Prints "READY bolt://127.0.0.1:PORT" on stdout once the default database is available.
 *
 * Any other Neo4j setting can be given as a system property prefixed with "neo4j.", e.g.
 * -Dneo4j.dbms.memory.transaction.total.max=0 (the import benchmark's province run).
 * Authentication is off: the server listens on loopback only and exists for the tests.
 */
public final class Main {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Main DATA_DIR PORT");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        Files.createDirectories(home);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, 256L * 1024 * 1024)
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(10))
                .setConfig(settingsFromProperties())
                .build();

        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown, "neo4j-shutdown"));
        dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).beginTx().close();
        System.out.println("READY bolt://127.0.0.1:" + port);
        System.out.flush();
        Thread.currentThread().join();
    }

    private static Map<Setting<?>, Object> settingsFromProperties() {
        Map<String, String> raw = new HashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("neo4j.")) {
                raw.put(name.substring("neo4j.".length()), System.getProperty(name));
            }
        }
        Config parsed = Config.newBuilder().setRaw(raw).build();  // refuses unknown names and bad values
        Map<Setting<?>, Object> settings = new HashMap<>();
        for (String name : raw.keySet()) {
            Setting<Object> setting = parsed.getSetting(name);
            settings.put(setting, parsed.get(setting));
        }
        return settings;
    }
}
