/** The Camel CLI's entry point: camel-jbang-core has the commands but no main method. */
public class CamelCli {
    public static void main(String... args) {
        org.apache.camel.dsl.jbang.core.commands.CamelJBangMain.run(args);
    }
}
