import java.io.File;
import java.util.ArrayList;
import java.util.List;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

/**
 * The platform's embedded store: mongo-java-server (a MongoDB wire-protocol server) on durable
 * H2 MVStore files, one server and one file per service database, all in one JVM.
 *
 * <pre>
 *   java -cp 'var/store/classes:var/store/lib/*' TrainingStore [--host 127.0.0.1] PORT=FILE ...
 * </pre>
 *
 * The stock H2 backend commits its MVStore about once a second, so a killed process loses the
 * writes of its last second although they were acknowledged. Here every command that changed
 * the store is committed before its reply leaves: an acknowledged write survives kill -9.
 */
public final class TrainingStore {

    /** The H2 backend, committing after every command that changed something. */
    static final class DurableH2Backend extends H2Backend {
        DurableH2Backend(String fileName) {
            super(fileName);
            version(ServerVersion.MONGO_5_0);  // what pymongo 4.15 expects of a server
        }

        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            try {
                return super.handleCommand(channel, database, command, query);
            } finally {
                if (getMvStore().hasUnsavedChanges()) {
                    commit();
                }
            }
        }
    }

    public static void main(String[] args) {
        // Before the first logger exists: only warnings and errors, unless -D says otherwise.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        String host = "127.0.0.1";
        List<String> bindings = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--host") && i + 1 < args.length) {
                host = args[++i];
            } else if (args[i].matches("[0-9]+=.+")) {
                bindings.add(args[i]);
            } else {
                usage("unexpected argument: " + args[i]);
            }
        }
        if (bindings.isEmpty()) {
            usage("name at least one PORT=FILE");
        }

        List<MongoServer> servers = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // shutdownNow closes each backend, which commits and closes its MVStore file.
            servers.forEach(MongoServer::shutdownNow);
            System.err.println("store: stopped");
        }));
        for (String binding : bindings) {
            int port = Integer.parseInt(binding.substring(0, binding.indexOf('=')));
            File file = new File(binding.substring(binding.indexOf('=') + 1)).getAbsoluteFile();
            file.getParentFile().mkdirs();
            MongoServer server = new MongoServer(new DurableH2Backend(file.getPath()));
            server.bind(host, port);
            servers.add(server);
            System.err.println("store: mongodb://" + host + ":" + port + "/ on " + file);
        }
        System.err.println("store: ready");
    }

    private static void usage(String problem) {
        System.err.println("store: " + problem);
        System.err.println("usage: TrainingStore [--host HOST] PORT=FILE [PORT=FILE ...]");
        System.exit(2);
    }
}
