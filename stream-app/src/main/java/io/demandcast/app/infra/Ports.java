package io.demandcast.app.infra;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** TCP port checks on the loopback address. */
final class Ports {

    private Ports() {
    }

    /** Whether a server could bind the port now. */
    static boolean isFree(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // As the servers themselves bind: a port whose last connections linger in TIME_WAIT (a server just
            // stopped) is free to them, while one with a listener is still refused.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether something accepts connections on the port now. */
    static boolean accepts(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A port the system has just handed out as free (it may be taken again by the time it is used). */
    static int ephemeral(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new InfraException("cannot find a free port on " + host, e);
        }
    }
}
