await Provisioning.Southbound.Cwmp.CwmpAdapterApplication.Build(args).RunAsync();
