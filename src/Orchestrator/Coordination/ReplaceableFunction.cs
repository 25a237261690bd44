using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Postgresql.Functions;

namespace Provisioning.Orchestrator.Coordination;

/// <summary>
/// A function a trigger depends on. Weasel updates a changed function with DROP ... CASCADE and CREATE, which takes
/// the trigger with it (and nothing recreates it until the next start: live followers lose their NOTIFY). CREATE OR
/// REPLACE changes the function in place and leaves the trigger alone.
/// </summary>
public sealed class ReplaceableFunction(string schema, string name, string createOrReplace)
    : Function(PostgresqlProvider.Instance.Parse(schema, name), createOrReplace)
{
    protected override ISchemaObjectDelta CreateFunctionDelta(FunctionBase? actual) => new InPlace(this, (Function?)actual);

    private sealed class InPlace(Function expected, Function? actual) : FunctionDelta(expected, actual)
    {
        public override void WriteUpdate(Migrator rules, TextWriter writer) => Expected.WriteCreateStatement(rules, writer);
    }
}
