package io.latentflow.deploy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Checks on TCP ports before a server is started on them. */
public final class PortCheck {

    private static final int FIRST_PORT = 20000;
    private static final int EPHEMERAL_FROM = 32768;
    /** Ports already handed out by this JVM: several are drawn before any of their servers binds. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private PortCheck() {
    }

    /** Whether something accepts connections on host:port. */
    public static boolean inUse(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Fails with a message naming the port and the variable that moves it when the port cannot be bound. */
    static void requireFree(String host, int port, String what, String variable) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalStateException(what + ": port " + host + ":" + port
                + " is already in use by another process; stop it or choose another port with " + variable, e);
        }
    }

    /**
     * A port that was free a moment ago on host (for tests and for ephemeral listeners). It is drawn below Linux's
     * ephemeral range (32768-60999), where the kernel places the local ports of outgoing connections: a port from
     * that range can be taken by some client's connection before the server that was meant to have it binds. A
     * port is handed out once per JVM.
     */
    public static int freePort(String host) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = random.nextInt(FIRST_PORT, EPHEMERAL_FROM);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(host, port));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port on " + host + " between " + FIRST_PORT + " and "
            + EPHEMERAL_FROM);
    }
}
