package customergraph;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.util.concurrent.CountDownLatch;

/**
 * Runs mongo-java-server on a host and port until SIGTERM/SIGINT.
 *
 * Usage: java -jar mongo-launcher.jar --host 127.0.0.1 --port 27017 (--memory | --h2 FILE)
 *
 * The oplog stays off on purpose: with it on the server keeps every write forever
 * (see DESIGN.md, "Local services"). The backend reports MongoDB 5.0 (wire version 8)
 * so mongoose 8's driver accepts it.
 */
public final class MongoLauncher {
    public static void main(String[] args) throws InterruptedException {
        String host = "127.0.0.1";
        int port = 27017;
        String h2File = null;
        boolean memory = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = requireValue(args, ++i, "--host");
                case "--port" -> port = parsePort(requireValue(args, ++i, "--port"));
                case "--h2" -> h2File = requireValue(args, ++i, "--h2");
                case "--memory" -> memory = true;
                default -> fail("unknown option " + args[i] + " (expected --host, --port, --memory or --h2 FILE)");
            }
        }
        if (memory == (h2File != null)) {
            fail("give exactly one of --memory or --h2 FILE");
        }

        MongoBackend backend = memory ? new MemoryBackend() : new H2Backend(h2File);
        backend.version(ServerVersion.MONGO_5_0);
        MongoServer server = new MongoServer(backend);
        server.bind(host, port);
        // The parent process reads this exact line to learn that the port is open.
        System.out.println("mongo-launcher listening on " + host + ":" + port + " backend=" + (memory ? "memory" : "h2:" + h2File));
        System.out.flush();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // shutdown() closes client connections, then the backend; H2 commits its store on close.
            server.shutdown();
            System.out.println("mongo-launcher stopped");
            System.out.flush();
            stopped.countDown();
        }, "mongo-launcher-shutdown"));
        stopped.await();
    }

    private static String requireValue(String[] args, int i, String option) {
        if (i >= args.length) fail(option + " needs a value");
        return args[i];
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port < 0 || port > 65535) throw new NumberFormatException();
            return port;
        } catch (NumberFormatException e) {
            fail("--port must be an integer from 0 to 65535, got " + value);
            return -1;
        }
    }

    private static void fail(String message) {
        System.err.println("mongo-launcher: " + message);
        System.exit(2);
    }
}
