-- MSK configuration revisions never change: each revision's server.properties is asked
-- for once (DescribeConfigurationRevision) and kept here, so a restart does not ask again.
CREATE TABLE config_revisions (
    configuration_arn TEXT   NOT NULL,
    revision          BIGINT NOT NULL,
    server_properties TEXT   NOT NULL,
    PRIMARY KEY (configuration_arn, revision)
);
