package org.example.host;

import org.contactsync.VirtuousSync;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** A Spring Boot application with the bundle added: its RoutesBuilder as a bean, its route files named in application.properties. */
@SpringBootApplication
public class HostApplication {

    public static void main(String[] args) {
        SpringApplication.run(HostApplication.class, args);
    }

    @Bean
    VirtuousSync virtuousSync() {
        return new VirtuousSync();
    }
}
