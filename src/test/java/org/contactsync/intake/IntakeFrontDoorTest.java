package org.contactsync.intake;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.contactsync.ledger.DeadLetter;
import org.contactsync.ledger.SyncState;
import org.contactsync.testing.SyncFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The front door for any Camel source: direct:virtuous-sync-intake takes a Map, a List or JSON text with the origin
 * variable, and the Kamelet virtuous-contact-sink (loaded from the jar's kamelets/) takes what a JMS queue on an
 * embedded broker delivers, as the route file docs/routes.md shows; each donor ends SYNCED against the sandbox.
 */
class IntakeFrontDoorTest {

    @RegisterExtension
    static final SyncFixture FIXTURE = new SyncFixture().with("sync.webhook.public-url", "http://localhost:{{camel.server.port}}");

    private static ProducerTemplate template;

    @BeforeAll
    static void startTheQueue() throws Exception {
        CamelContext context = FIXTURE.bundle().context();
        // an embedded, in-memory broker, started by the first connection to it
        context.addComponent("jms", JmsComponent.jmsComponentAutoAcknowledge(
                new ActiveMQConnectionFactory("vm://front-door?broker.persistent=false&broker.useJmx=false")));
        PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.resolveMandatoryResource(context, "classpath:examples/jms-donors.camel.yaml"));
        template = context.createProducerTemplate();
        await().atMost(Duration.ofSeconds(20)).until(() -> !FIXTURE.sandbox().webhooks().isEmpty());
    }

    @AfterAll
    static void closeTemplate() throws Exception {
        template.close();
    }

    @Test
    void aDonorPutOnTheEndpointEndsSynced() {
        Exchange answer = template.request("direct:virtuous-sync-intake", exchange -> {
            exchange.setVariable("origin", "test source");
            exchange.getMessage().setBody(List.of(Map.of("referenceId", "door-1", "firstName", "Grace", "lastName", "Hopper"),
                    Map.of("firstName", "No", "lastName", "Reference")));
        });

        IntakeReport report = answer.getMessage().getBody(IntakeReport.class);
        assertThat(report.accepted()).singleElement().satisfies(item -> assertThat(item).containsEntry("referenceId", "door-1"));
        assertThat(report.rejected()).singleElement().satisfies(item -> assertThat(item).containsEntry("origin", "test source item 2"));
        FIXTURE.bundle().awaitState("PartnerPlatform", "door-1", SyncState.PENDING);
        FIXTURE.sandbox().runBatch();
        FIXTURE.bundle().awaitState("PartnerPlatform", "door-1", SyncState.SYNCED);
    }

    @Test
    void aDonorFromAJmsQueueThroughTheKameletEndsSyncedUnderItsReferenceSource() throws Exception {
        template.sendBody("jms:queue:donors", """
                {"referenceId": "jms-1", "firstName": "Annie", "lastName": "Easley", "email": "annie@example.org"}""");
        template.sendBody("jms:queue:donors", """
                {"referenceId": "jms-bad", "firstName": "Annie", "email": "annie@example"}""");

        FIXTURE.bundle().awaitState("Webshop", "jms-1", SyncState.PENDING);
        FIXTURE.sandbox().runBatch();
        FIXTURE.bundle().awaitState("Webshop", "jms-1", SyncState.SYNCED);
        DeadLetter rejected = await().until(() -> FIXTURE.bundle().deadLetters().stream()
                .filter(letter -> "jms-bad".equals(letter.referenceId())).findFirst(), java.util.Optional::isPresent).orElseThrow();
        assertThat(rejected.referenceSource()).isEqualTo("Webshop");
        assertThat(rejected.reason()).contains("email: 'annie@example' is not an email address");
    }

    @Test
    void aDeliveryThatIsNoDonorsIsRefusedWithNothingStored() throws Exception {
        int letters = FIXTURE.bundle().deadLetters().size();

        Exchange answer = template.request("direct:virtuous-sync-intake", exchange -> exchange.getMessage().setBody("{\"referenceId\": "));

        assertThat(answer.getException()).isInstanceOf(IntakeRefusedException.class).hasMessageStartingWith("malformed JSON");
        assertThat(FIXTURE.bundle().deadLetters()).hasSize(letters);
    }
}
