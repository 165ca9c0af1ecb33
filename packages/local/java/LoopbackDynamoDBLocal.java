import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local, listening on 127.0.0.1 only.
 *
 * Its command line has no bind option and its Jetty listens on every interface, so anyone on the
 * network could read the database. This builds the server exactly as DynamoDB Local's own main
 * does (same options), binds Jetty's connector to loopback before it opens its socket, and starts
 * it. The JVM runs this file in source mode (`java -cp DynamoDBLocal.jar LoopbackDynamoDBLocal.java …`),
 * so nothing is compiled ahead of time. It leaves out main's telemetry set-up: nothing reports to AWS.
 */
public class LoopbackDynamoDBLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    // The Jetty server is a private field; if a new DynamoDB Local renames it, this fails loudly.
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    Connector[] connectors = server.getConnectors();
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local has no connector to bind to loopback");
    for (Connector connector : connectors) ((ServerConnector) connector).setHost("127.0.0.1");
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
