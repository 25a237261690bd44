using Provisioning.Testing;

// DatabaseRestartTests restarts PostgreSQL mid-storm: it must be a cluster no other test process is using.
[assembly: PrivatePostgres]
