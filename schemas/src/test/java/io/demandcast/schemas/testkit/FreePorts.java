package io.demandcast.schemas.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on 127.0.0.1 for the test servers. */
final class FreePorts {

    private FreePorts() {
    }

    /**
     * Distinct ports that were free a moment ago. All sockets are held until all ports are chosen, so the same
     * port is never handed out twice; another process could still take one before the server binds it.
     */
    static int[] pick(int count) {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on 127.0.0.1", e);
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException("Cannot release probe socket " + socket, e);
                    }
                }
            }
        }
    }
}
