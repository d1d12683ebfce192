import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
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
 * Three changes to the stock H2 backend:
 * <ul>
 * <li>Durability. The stock backend commits its MVStore about once a second, so a killed process
 * loses the writes of its last second although they were acknowledged. Here every command that
 * changed the store is committed before its reply leaves: an acknowledged write survives kill -9.
 * <li>Conditional updates by id. The stock backend uses an index only when a filter names exactly
 * that index's fields, so {_id: x, status: "submitted"}, the shape of every guarded state change,
 * scanned the whole collection. Here a filter with a string _id reads that one document (the
 * data map is keyed by _id) and applies the whole filter to it.
 * <li>Snapshots. Replies carry copies of the stored documents (see createQueryResult).
 * </ul>
 * Every collection still runs one operation at a time, which is what isolates conditional updates.
 * The system property store.cacheMiB sets each file's page cache (default 128 MiB): collections
 * that fit in it are scanned from memory.
 */
public final class TrainingStore {

    static final int CACHE_MIB = Integer.getInteger("store.cacheMiB", 128);

    static final class DurableH2Backend extends H2Backend {
        DurableH2Backend(String fileName) {
            super(new MVStore.Builder().fileName(fileName).cacheSize(CACHE_MIB).open());
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

        @Override
        protected MongoDatabase openOrCreateDatabase(String databaseName) {
            return new IdLookupDatabase(databaseName);
        }

        /** H2Database with IdLookupCollections; the same map names, so either opens the other's files. */
        final class IdLookupDatabase extends H2Database {
            IdLookupDatabase(String databaseName) {
                super(databaseName, getMvStore(), getCursorRegistry());
            }

            @Override
            protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
                // Called by H2Database's constructor too: use the backend's store, not a field of ours.
                MVStore store = getMvStore();
                String fullName = getFullCollectionNamespace(collectionName);
                MVMap<Object, Document> dataMap = store.openMap("databases." + fullName);
                MVMap<String, Object> metaMap = store.openMap("meta." + fullName);
                return new IdLookupCollection(this, collectionName, options, dataMap, metaMap, cursorRegistry);
            }
        }
    }

    static final class IdLookupCollection extends H2Collection {
        IdLookupCollection(MongoDatabase database, String name, CollectionOptions options,
                           MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap,
                           CursorRegistry cursorRegistry) {
            super(database, name, options, dataMap, metaMap, cursorRegistry);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit,
                                             int batchSize, Document fieldSelector) {
            if (query.size() > 1 && query.get("_id") instanceof String id) {
                Document candidate = getDocument(id);
                return matchDocumentsFromStream(Stream.ofNullable(candidate), query, orderBy, skip, limit,
                                                batchSize, fieldSelector);
            }
            return super.queryDocuments(query, orderBy, skip, limit, batchSize, fieldSelector);
        }

        @Override
        protected QueryResult createQueryResult(List<Document> matched, int batchSize) {
            // Every read, and the read before each update, ends here. Updates change the matched
            // document object in place and store it, and replies are encoded after the collection's
            // lock is released: handing out the stored objects themselves let a concurrent update
            // change a reply under way (findAndModify answered $inc counters with duplicates).
            // Copies make each reply a snapshot, and each update replace, not change, what is stored.
            return super.createQueryResult(matched.stream().map(Document::cloneDeeply).collect(Collectors.toList()),
                                           batchSize);
        }
    }

    public static void main(String[] args) {
        // Before the first logger exists: only warnings and errors, unless -D says otherwise.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        // It logs every refused command (a duplicate key, dropping a missing collection) as an
        // error with a stack trace; the client gets the error anyway.
        System.setProperty("org.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire.MongoWireProtocolHandler", "off");
        // It warns at every start that it keeps secondary indexes without using them (see README).
        System.setProperty("org.slf4j.simpleLogger.log.de.bwaldvogel.mongo.backend.AbstractMongoDatabase", "error");
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
