package io.kiepipeline.gateway.api;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What the OpenAPI document says about the API as a whole: its name, where it is, how callers authenticate. */
@Configuration(proxyBeanMethods = false)
class ApiDocs {
    @Bean
    OpenAPI kiePipelineApi() {
        return new OpenAPI()
                .info(new Info().title("KIE Pipeline API").version("v1").license(new License().name("Apache-2.0"))
                        .description("Generations for Telegram users, paid from a prepaid balance: the price is held"
                                + " before KIE is called, charged only when the result arrives, released"
                                + " otherwise. Writes are published to Kafka and answered once it has them (202);"
                                + " reads ask the service that owns the data. Money is in integer minor units of"
                                + " the currency. Errors are {error, message} with a stable code."))
                // the gateway's own address, whatever host and port it is reached on
                .servers(List.of(new Server().url("/").description("the gateway")))
                .components(new Components()
                        .addSecuritySchemes("apiToken", new SecurityScheme().type(SecurityScheme.Type.HTTP)
                                .scheme("bearer").description("API_TOKEN: users' calls"))
                        .addSecuritySchemes("adminToken", new SecurityScheme().type(SecurityScheme.Type.HTTP)
                                .scheme("bearer").description("ADMIN_TOKEN: top-ups, prices, KIE accounts")));
    }
}
