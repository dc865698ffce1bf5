package org.contactsync.status;

import org.contactsync.testing.SyncBundle;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StatusAccessTest {

    private static final String RIGHT = SyncBundle.basic("operator", "s3cret");

    @Test
    void withAPasswordOnlyTheRightPairIsLetIn() {
        StatusAccess access = new StatusAccess("operator", "s3cret", false);

        assertThat(access.refuses(RIGHT)).isFalse();
        assertThat(access.refuses("basic " + RIGHT.substring(6))).as("the scheme is case-insensitive").isFalse();
        assertThat(access.refuses(null)).isTrue();
        assertThat(access.refuses(SyncBundle.basic("operator", "s3cre"))).isTrue();
        assertThat(access.refuses(SyncBundle.basic("operator", "s3cret "))).isTrue();
        assertThat(access.refuses(SyncBundle.basic("Operator", "s3cret"))).isTrue();
        assertThat(access.refuses("Basic %%%")).isTrue();
        assertThat(access.refuses("Bearer s3cret")).isTrue();
    }

    @Test
    void withoutAPasswordItIsOpenOnlyWhenSetOpen() {
        StatusAccess demo = new StatusAccess("operator", "", true);
        StatusAccess production = new StatusAccess("operator", "", false);

        assertThat(demo.refuses(null)).isFalse();
        assertThat(production.refuses(null)).isTrue();
        assertThat(production.refuses(SyncBundle.basic("operator", ""))).as("an empty password is no password").isTrue();
    }
}
