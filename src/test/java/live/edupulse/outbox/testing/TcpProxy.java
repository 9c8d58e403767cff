package live.edupulse.outbox.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP forwarder between the application and a real service, so a test can make the service
 * unreachable and bring it back without touching the shared service itself. While closed, the
 * port refuses connections; {@link #close()} also cuts every open connection. Tests give proxies
 * ports below Linux's ephemeral range (32768-60999): an outgoing connection could otherwise hold
 * the port when a test wants to listen on it again.
 *
 * <p>It also counts round trips ({@link #roundTrips()}): a client's sending that follows an answer
 * of the service (or opens the connection) starts one; what the client sends before the next
 * answer belongs to it, so a pipelined batch counts once.
 */
public final class TcpProxy implements AutoCloseable {

    private final int listenPort;
    private final String targetHost;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    private Thread acceptor;
    private volatile boolean stalled;
    private final AtomicLong roundTrips = new AtomicLong();

    public TcpProxy(int listenPort, String targetHost, int targetPort) {
        this.listenPort = listenPort;
        this.targetHost = targetHost;
        this.targetPort = targetPort;
    }

    /** Starts accepting and forwarding connections. */
    public synchronized TcpProxy open() throws IOException {
        if (server != null) {
            return this;
        }
        ServerSocket listening = new ServerSocket();
        listening.setReuseAddress(true);
        listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort));
        server = listening;
        acceptor = new Thread(() -> accept(listening), "tcp-proxy-accept-" + listenPort);
        acceptor.setDaemon(true);
        acceptor.start();
        return this;
    }

    private void accept(ServerSocket listening) {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                sockets.add(client);
                Socket upstream = new Socket(targetHost, targetPort);
                sockets.add(upstream);
                // forward each write at once, as the two ends would talk directly: with Nagle's
                // algorithm a small write waits for the previous one's acknowledgement (up to 40 ms)
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                if (listening.isClosed()) {
                    // closed while this connection was being set up: close() may have missed it
                    closeQuietly(client);
                    closeQuietly(upstream);
                    return;
                }
                AtomicBoolean answered = new AtomicBoolean(true);
                pump(client, upstream, () -> {
                    if (answered.getAndSet(false)) {
                        roundTrips.incrementAndGet();
                    }
                });
                pump(upstream, client, () -> answered.set(true));
            } catch (IOException e) {
                // closed, or the target refused: the client sees its connection drop
            }
        }
    }

    /** Round trips started through this proxy so far, over all its connections. */
    public long roundTrips() {
        return roundTrips.get();
    }

    private void pump(Socket from, Socket to, Runnable onData) {
        Thread pump = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    awaitUnstalled();
                    onData.run();
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed: close both below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pump-" + listenPort);
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Stops forwarding in both directions without closing anything: the service seems to stop
     * answering. New connections are accepted but hang too.
     */
    public void stall() {
        stalled = true;
    }

    /** Forwards again what was held back, and what comes next. */
    public synchronized void resume() {
        stalled = false;
        notifyAll();
    }

    private synchronized void awaitUnstalled() {
        while (stalled) {
            try {
                wait(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Stops listening and cuts every connection made through the proxy. When it returns, the port
     * is free: the JDK releases a listening socket only once the thread blocked in its
     * {@code accept} has left it, so this waits for that thread.
     */
    @Override
    public synchronized void close() {
        stalled = false;
        notifyAll();
        ServerSocket listening = server;
        server = null;
        if (listening != null) {
            closeQuietly(listening);
            awaitAcceptorGone();
        }
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
        sockets.clear();
    }

    private void awaitAcceptorGone() {
        try {
            acceptor.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (acceptor.isAlive()) {
            throw new IllegalStateException("the proxy on port " + listenPort + " did not stop accepting within 10 s");
        }
        acceptor = null;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // already closed
        }
    }
}
