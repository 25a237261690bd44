using System.Globalization;

namespace Provisioning.Simulators.Usp.DataModel;

/// <summary>
/// An in-memory TR-181 "Device." data model: parameters with type, writability and secrecy (secrets read
/// back ""), and multi-instance tables whose instances the agent numbers itself. Thread-safe by a lock
/// held only for in-memory work.
/// </summary>
public sealed class AgentDataModel
{
    private sealed class Parameter(string value, ParameterKind kind, bool writable, bool secret)
    {
        public string Value = value;
        public ParameterKind Kind { get; } = kind;
        public bool Writable { get; } = writable;
        public bool Secret { get; } = secret;
    }

    /// <summary>A table's parameter template: what a new instance holds (name, kind, default, writable, secret).</summary>
    private sealed record Column(string Name, ParameterKind Kind, string Default, bool Writable = true, bool Secret = false);

    private readonly object _gate = new();
    private readonly SortedDictionary<string, Parameter> _parameters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Column[]> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _nextInstance = new(StringComparer.Ordinal);

    private readonly AgentIdentity _identity;
    private readonly string _controllerEndpointId;

    public AgentDataModel(AgentIdentity identity, string controllerEndpointId)
    {
        _identity = identity;
        _controllerEndpointId = controllerEndpointId;
        Populate(identity, controllerEndpointId);
    }

    /// <summary>
    /// Back to the factory defaults (Device.FactoryReset()), keeping what a reset does not erase: the installed
    /// firmware (SoftwareVersion, the FirmwareImage table, the active image) and the objects under <paramref name="alsoKept"/>.
    /// </summary>
    public void Reset(params string[] alsoKept)
    {
        string[] kept = ["Device.DeviceInfo.SoftwareVersion", "Device.DeviceInfo.FirmwareImage.", "Device.DeviceInfo.ActiveFirmwareImage", .. alsoKept];
        lock (_gate)
        {
            bool Kept(string path) => kept.Any(k => path.StartsWith(k, StringComparison.Ordinal));
            var parameters = _parameters.Where(p => Kept(p.Key)).ToList();
            var instances = _instances.Where(Kept).ToList();
            var next = _nextInstance.Where(n => Kept(n.Key)).ToList();
            _parameters.Clear();
            _instances.Clear();
            _tables.Clear();
            _nextInstance.Clear();
            Populate(_identity, _controllerEndpointId);
            foreach (var (path, parameter) in parameters) _parameters[path] = parameter;
            foreach (var instance in instances) _instances.Add(instance);
            foreach (var (table, number) in next) _nextInstance[table] = Math.Max(number, _nextInstance.GetValueOrDefault(table));
            // A kept subscription keeps its instance number from being handed out again.
            foreach (var instance in instances)
            {
                var table = instance[..(instance.TrimEnd('.').LastIndexOf('.') + 1)];
                if (_nextInstance.TryGetValue(table, out var n) && int.TryParse(instance[table.Length..].TrimEnd('.'), NumberStyles.None, CultureInfo.InvariantCulture, out var used))
                    _nextInstance[table] = Math.Max(n, used + 1);
            }
        }
    }

    /// <summary>Sets a value the agent itself changes (firmware state), writable or not.</summary>
    public void Update(string path, string value)
    {
        lock (_gate) Set(path, value);
    }

    private void Populate(AgentIdentity identity, string controllerEndpointId)
    {
        Set("Device.DeviceInfo.Manufacturer", identity.Manufacturer, writable: false);
        Set("Device.DeviceInfo.ModelName", identity.ModelName, writable: false);
        Set("Device.DeviceInfo.SoftwareVersion", identity.SoftwareVersion, writable: false);
        Set("Device.DeviceInfo.HardwareVersion", identity.HardwareVersion, writable: false);
        Set("Device.DeviceInfo.SerialNumber", identity.SerialNumber, writable: false);
        Set("Device.DeviceInfo.ManufacturerOUI", identity.Oui, writable: false);
        Set("Device.DeviceInfo.ProductClass", identity.ProductClass, writable: false);
        Set("Device.LocalAgent.EndpointID", identity.EndpointId, writable: false);

        DefineTable("Device.WiFi.SSID.", new Column("Enable", ParameterKind.Boolean, "false"), new Column("SSID", ParameterKind.String, ""));
        DefineTable("Device.WiFi.AccessPoint.", new Column("Security.ModeEnabled", ParameterKind.String, "None"), new Column("Security.KeyPassphrase", ParameterKind.String, "", Secret: true));
        DefineTable("Device.Services.VoiceService.");
        DefineTable("Device.Services.VoiceService.1.SIP.Client.", new Column("Enable", ParameterKind.Boolean, "false"), new Column("AuthUserName", ParameterKind.String, ""), new Column("AuthPassword", ParameterKind.String, "", Secret: true));
        DefineTable("Device.Services.VoiceService.1.SIP.Network.", new Column("RegistrarServer", ParameterKind.String, ""));
        DefineTable("Device.Services.VoiceService.1.CallControl.Line.", new Column("DirectoryNumber", ParameterKind.String, ""));
        DefineTable("Device.Ethernet.VLANTermination.", new Column("Enable", ParameterKind.Boolean, "false"), new Column("VLANID", ParameterKind.UnsignedInt, "0"));
        DefineTable("Device.LocalAgent.Controller.", new Column("EndpointID", ParameterKind.String, ""), new Column("PeriodicNotifInterval", ParameterKind.UnsignedInt, "86400"));
        DefineTable("Device.LocalAgent.Subscription.",
            new Column("Enable", ParameterKind.Boolean, "false"), new Column("ID", ParameterKind.String, ""),
            new Column("NotifType", ParameterKind.String, ""), new Column("ReferenceList", ParameterKind.String, ""),
            new Column("Persistent", ParameterKind.Boolean, "false"), new Column("Recipient", ParameterKind.String, ""));
        // TR-181 FirmwareImage: two banks, the running image and a spare one Download() fills.
        DefineTable("Device.DeviceInfo.FirmwareImage.", new Column("Name", ParameterKind.String, "", Writable: false), new Column("Version", ParameterKind.String, "", Writable: false),
            new Column("Available", ParameterKind.Boolean, "false"), new Column("Status", ParameterKind.String, "NoImage", Writable: false));

        for (var i = 1; i <= 3; i++) { AddInstance("Device.WiFi.SSID."); AddInstance("Device.WiFi.AccessPoint."); AddInstance("Device.Ethernet.VLANTermination."); }
        AddInstance("Device.Services.VoiceService.");
        for (var n = 1; n <= 2; n++) { AddInstance("Device.Services.VoiceService.1.SIP.Client."); AddInstance("Device.Services.VoiceService.1.CallControl.Line."); }
        AddInstance("Device.Services.VoiceService.1.SIP.Network.");
        var controller = AddInstance("Device.LocalAgent.Controller.");
        Set(controller + "EndpointID", controllerEndpointId);
        var image = AddInstance("Device.DeviceInfo.FirmwareImage.");
        Set(image + "Name", "firmware-1");
        Set(image + "Version", identity.SoftwareVersion);
        Set(image + "Available", "true", kind: ParameterKind.Boolean);
        Set(image + "Status", "Available", writable: false);
        AddInstance("Device.DeviceInfo.FirmwareImage.");
        Set("Device.DeviceInfo.ActiveFirmwareImage", image, writable: false);
        Set("Device.DeviceInfo.BootFirmwareImage", image);
    }

    private void DefineTable(string table, params Column[] columns)
    {
        _tables[table] = columns;
        _nextInstance[table] = 1;
    }

    private void Set(string path, string value, bool writable = true, ParameterKind kind = ParameterKind.String, bool secret = false)
    {
        if (_parameters.TryGetValue(path, out var existing)) existing.Value = value;
        else _parameters[path] = new Parameter(value, kind, writable, secret);
    }

    private string AddInstance(string table)
    {
        var number = _nextInstance[table]++;
        var path = table + number.ToString(CultureInfo.InvariantCulture) + ".";
        foreach (var column in _tables[table])
            _parameters[path + column.Name] = new Parameter(column.Default, column.Kind, column.Writable, column.Secret);
        _instances.Add(path);
        return path;
    }

    private readonly HashSet<string> _instances = new(StringComparer.Ordinal);

    /// <summary>All parameters as stored (secrets in clear), for test assertions.</summary>
    public IReadOnlyDictionary<string, string> Snapshot()
    {
        lock (_gate) return _parameters.ToDictionary(p => p.Key, p => p.Value.Value, StringComparer.Ordinal);
    }

    /// <summary>The stored value (secrets in clear), or null.</summary>
    public string? this[string path]
    {
        get { lock (_gate) return _parameters.TryGetValue(path, out var p) ? p.Value : null; }
    }

    public bool ObjectExists(string objectPath)
    {
        lock (_gate) return ObjectExistsLocked(objectPath);
    }

    private bool ObjectExistsLocked(string objectPath)
    {
        if (_instances.Contains(objectPath) || _tables.ContainsKey(objectPath)) return true;
        var view = _parameters.Keys.FirstOrDefault(k => k.StartsWith(objectPath, StringComparison.Ordinal));
        return view is not null;
    }

    public bool IsTable(string path)
    {
        lock (_gate) return _tables.ContainsKey(path);
    }

    /// <summary>Removes an object instance and everything under it (to test Add of missing instances).</summary>
    public bool RemoveObject(string objectPath)
    {
        lock (_gate)
        {
            var keys = _parameters.Keys.Where(k => k.StartsWith(objectPath, StringComparison.Ordinal)).ToArray();
            foreach (var key in keys) _parameters.Remove(key);
            _instances.RemoveWhere(i => i.StartsWith(objectPath, StringComparison.Ordinal));
            return keys.Length > 0;
        }
    }

    /// <summary>Parameters under an object path (partial path) or the one parameter named; null if nothing matches.</summary>
    public List<KeyValuePair<string, string>>? Read(string path)
    {
        lock (_gate)
        {
            if (!path.EndsWith('.'))
                return _parameters.TryGetValue(path, out var p) ? [new(path, p.Secret ? "" : p.Value)] : null;
            if (!ObjectExistsLocked(path)) return null;
            return _parameters
                .Where(kv => kv.Key.StartsWith(path, StringComparison.Ordinal))
                .Select(kv => new KeyValuePair<string, string>(kv.Key, kv.Value.Secret ? "" : kv.Value.Value))
                .ToList();
        }
    }

    /// <summary>Why this value cannot be written to that parameter (USP error code), or 0.</summary>
    public uint CheckWrite(string path, string value)
    {
        lock (_gate)
        {
            if (!_parameters.TryGetValue(path, out var p)) return 7010;
            if (!p.Writable) return 7013;
            return Valid(p.Kind, value) ? 0u : 7012;
        }
    }

    public void Write(string path, string value)
    {
        lock (_gate)
        {
            if (_parameters.TryGetValue(path, out var p)) p.Value = value;
        }
    }

    /// <summary>Creates an instance of a table with the given values; returns (path, 0) or (null, error code, failing parameter).</summary>
    public (string? Path, uint Error, string? Parameter) Create(string table, IReadOnlyList<KeyValuePair<string, string>> values)
    {
        lock (_gate)
        {
            if (!_tables.TryGetValue(table, out var columns)) return (null, ObjectExistsLocked(table) ? 7018u : 7026u, null);
            foreach (var (name, value) in values)
            {
                var column = columns.FirstOrDefault(c => c.Name == name);
                if (column is null) return (null, 7010, name);
                if (!Valid(column.Kind, value)) return (null, 7012, name);
            }
            var path = AddInstance(table);
            foreach (var (name, value) in values) _parameters[path + name].Value = value;
            return (path, 0, null);
        }
    }

    /// <summary>Instances of a table ("Device.LocalAgent.Subscription.").</summary>
    public IReadOnlyList<string> Instances(string table)
    {
        lock (_gate) return _instances.Where(i => i.StartsWith(table, StringComparison.Ordinal) && i.Length > table.Length && !i[table.Length..].TrimEnd('.').Contains('.')).Order(StringComparer.Ordinal).ToArray();
    }

    public IReadOnlyList<string> AllInstancesUnder(string path)
    {
        lock (_gate) return _instances.Where(i => i.StartsWith(path, StringComparison.Ordinal) && i != path).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Supported (generic) objects and their parameter names, e.g. "Device.WiFi.SSID.{i}." -> [Enable, SSID].</summary>
    public IReadOnlyDictionary<string, (bool MultiInstance, string[] Parameters)> Supported(string under)
    {
        lock (_gate)
        {
            var result = new SortedDictionary<string, (bool, string[])>(StringComparer.Ordinal);
            foreach (var (table, columns) in _tables)
            {
                var generic = table + "{i}.";
                if (generic.StartsWith(under, StringComparison.Ordinal) || under.StartsWith(table, StringComparison.Ordinal))
                    result[generic] = (true, columns.Select(c => c.Name).ToArray());
            }
            foreach (var key in _parameters.Keys.Where(k => k.StartsWith(under, StringComparison.Ordinal)))
            {
                var obj = key[..(key.LastIndexOf('.') + 1)];
                if (obj.Split('.').Any(s => s.Length > 0 && s.All(char.IsAsciiDigit))) continue;
                var name = key[(obj.Length)..];
                result[obj] = result.TryGetValue(obj, out var existing) ? (false, existing.Item2.Append(name).Distinct().ToArray()) : (false, [name]);
            }
            return result;
        }
    }

    public bool DeleteInstance(string path)
    {
        lock (_gate)
        {
            if (!_instances.Contains(path)) return false;
        }
        return RemoveObject(path);
    }

    private static bool Valid(ParameterKind kind, string value) => kind switch
    {
        ParameterKind.Boolean => value is "true" or "false" or "1" or "0",
        ParameterKind.UnsignedInt => uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _),
        _ => true,
    };
}
