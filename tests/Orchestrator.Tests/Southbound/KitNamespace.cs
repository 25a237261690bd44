// The scripted adapter and DeviceScript moved to the test kit (Provisioning.Testing, a global using here); this namespace
// is still declared so tests that import it, as they did when the adapter lived here, compile unchanged.
namespace Provisioning.Orchestrator.Tests.Southbound
{
}
