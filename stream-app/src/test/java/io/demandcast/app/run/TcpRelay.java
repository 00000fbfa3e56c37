package io.demandcast.app.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * TEST ONLY: a TCP relay on 127.0.0.1 in front of a real server, which a test can cut (every connection closed and
 * no new one accepted, as when the server is down) and restore on the same port.
 */
final class TcpRelay implements AutoCloseable {

    private final InetSocketAddress target;
    private final int port;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;

    TcpRelay(String targetHost, int targetPort) throws IOException {
        this.target = new InetSocketAddress(targetHost, targetPort);
        ServerSocket s = bind(0);
        this.port = s.getLocalPort();
        listen(s);
    }

    int port() {
        return port;
    }

    /** Closes every relayed connection and stops accepting new ones. */
    synchronized void cut() throws IOException {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            s.close();
        }
        for (Socket socket : open) {
            socket.close();
        }
        open.clear();
    }

    /** Accepts connections again, on the same port. */
    synchronized void restore() throws IOException {
        if (server == null) {
            listen(bind(port));
        }
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return s;
    }

    private void listen(ServerSocket s) {
        server = s;
        Thread acceptor = new Thread(() -> {
            while (!s.isClosed()) {
                try {
                    Socket client = s.accept();
                    Socket upstream = new Socket(target.getHostString(), target.getPort());
                    open.add(client);
                    open.add(upstream);
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException e) {
                    // The server socket was closed by cut() or close(): stop accepting.
                }
            }
        }, "relay-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // Either side closed: the relay of this connection ends.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "relay-pump-" + port);
        t.setDaemon(true);
        t.start();
    }

    private void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // Already closed.
        }
        open.remove(s);
    }

    @Override
    public void close() throws IOException {
        cut();
    }
}
