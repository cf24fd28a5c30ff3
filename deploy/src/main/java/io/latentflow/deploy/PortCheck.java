package io.latentflow.deploy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Checks on TCP ports before a server is started on them. */
public final class PortCheck {

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

    /** A port that was free a moment ago on host (for tests and for ephemeral listeners). */
    public static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port on " + host, e);
        }
    }
}
