import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local, listening on 127.0.0.1 only, and answering only this machine's own clients.
 *
 * Its command line has no bind option and its Jetty listens on every interface, so anyone on the
 * network could read the database. This builds the server exactly as DynamoDB Local's own main
 * does (same options), binds Jetty's connector to loopback before it opens its socket, and starts
 * it. The JVM runs this file in source mode (`java -cp DynamoDBLocal.jar LoopbackDynamoDBLocal.java …`),
 * so nothing is compiled ahead of time. It leaves out main's telemetry set-up: nothing reports to AWS.
 *
 * Loopback is not enough against a web page the developer opens (issue 21): through DNS
 * rebinding (its own name pointed at 127.0.0.1) it reaches a loopback port under its own name,
 * and DynamoDB Local answers any Host and, by default, CORS requests from every origin. So a
 * request is refused unless its Host names a loopback address at this port (421), and a request
 * from a browser page (one with an Origin header: the SDK in Node sends none) is refused (403).
 * The same Host rule is in packages/local/src/loopbackHost.ts.
 */
public class LoopbackDynamoDBLocal {
  private static final Pattern LOOPBACK_NAME =
      Pattern.compile("localhost|127(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}|\\[::1\\]");

  /** Whether a Host header names this machine's loopback (localhost, 127.x.x.x, [::1]) at `port`. */
  static boolean isLoopbackHost(String host, int port) {
    if (host == null) return false;
    int at = host.lastIndexOf(':');
    if (at < 0 || host.endsWith("]")) return false;
    return host.substring(at + 1).equals(Integer.toString(port))
        && LOOPBACK_NAME.matcher(host.substring(0, at).toLowerCase(Locale.ROOT)).matches();
  }

  /** Refuses what is not this machine's own client before DynamoDB Local sees it. */
  static final class LocalClientsOnly extends Handler.Wrapper {
    LocalClientsOnly(Handler handler) {
      super(handler);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String host = request.getHeaders().get(HttpHeader.HOST);
      if (!isLoopbackHost(host, Request.getLocalPort(request))) {
        return refuse(response, callback, 421, "This database answers only requests to its loopback address.");
      }
      if (request.getHeaders().contains(HttpHeader.ORIGIN)) {
        return refuse(response, callback, 403, "This database does not answer web pages.");
      }
      return super.handle(request, response, callback);
    }

    private static boolean refuse(Response response, Callback callback, int status, String message) {
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/x-amz-json-1.0");
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
      String body = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#AccessDeniedException\",\"message\":\"" + message + "\"}";
      response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
      return true;
    }
  }

  /**
   * Ends the JVM once its parent is gone. The parent (dynamoLocal.ts) holds the write end of this
   * process's stdin and never writes: when it exits, however it exits (SIGKILL included, which no
   * handler of its own can catch), the pipe closes and stdin reads end-of-file. Without this a
   * killed `npm start` or test run left the JVM holding its port and its data folder.
   */
  static void exitWithParent() {
    Thread watch = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // Nothing is ever written; whatever comes is ignored.
        }
      } catch (java.io.IOException e) {
        // A broken pipe is the parent gone too.
      }
      System.exit(0);
    }, "exit-with-parent");
    watch.setDaemon(true);
    watch.start();
  }

  public static void main(String[] args) throws Exception {
    exitWithParent();
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    // The Jetty server is a private field; if a new DynamoDB Local renames it, this fails loudly.
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    Connector[] connectors = server.getConnectors();
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local has no connector to bind to loopback");
    for (Connector connector : connectors) ((ServerConnector) connector).setHost("127.0.0.1");
    // Its handler is set when the server is built; every request now passes this check first.
    if (server.getHandler() == null) throw new IllegalStateException("DynamoDB Local has no handler to guard");
    server.setHandler(new LocalClientsOnly(server.getHandler()));
    proxy.start();
    for (Connector connector : server.getConnectors()) {
      ServerConnector c = (ServerConnector) connector;
      if (!"127.0.0.1".equals(c.getHost())) {
        proxy.stop();
        throw new IllegalStateException("DynamoDB Local opened a connector off loopback: " + c.getHost());
      }
      System.out.println("DynamoDB Local listening on " + c.getHost() + ":" + c.getLocalPort());
    }
  }
}
