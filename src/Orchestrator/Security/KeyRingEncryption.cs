using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Provisioning.Orchestrator.Security;

/// <summary>Encrypts each Data Protection key's XML with the <see cref="KeyRingKey"/> (AES-256-GCM) before it is stored.</summary>
public sealed class KeyRingXmlEncryptor(KeyRingKey key) : IXmlEncryptor
{
    public const string Element = "keyRingEncrypted";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = System.Text.Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        var ciphertext = new byte[plaintext.Length];
        using (var aes = new AesGcm(key.Value, tag.Length)) aes.Encrypt(nonce, plaintext, ciphertext, tag);
        CryptographicOperations.ZeroMemory(plaintext);
        var element = new XElement(Element,
            new XAttribute("key", key.Id),
            new XElement("nonce", Convert.ToBase64String(nonce)),
            new XElement("tag", Convert.ToBase64String(tag)),
            new XElement("ciphertext", Convert.ToBase64String(ciphertext)));
        return new EncryptedXmlInfo(element, typeof(KeyRingXmlDecryptor));
    }
}

/// <summary>Decrypts what <see cref="KeyRingXmlEncryptor"/> stored. Created by Data Protection through the service provider.</summary>
public sealed class KeyRingXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var key = services.GetService<KeyRingKey>()
            ?? throw new CryptographicException("the key ring is encrypted with a key file, and none is configured");
        if ((string?)encryptedElement.Attribute("key") != key.Id)
            throw new CryptographicException($"this key ring entry was encrypted with key {(string?)encryptedElement.Attribute("key")}, not {key.Id} ({key.Source})");
        var nonce = Convert.FromBase64String((string)encryptedElement.Element("nonce")!);
        var tag = Convert.FromBase64String((string)encryptedElement.Element("tag")!);
        var ciphertext = Convert.FromBase64String((string)encryptedElement.Element("ciphertext")!);
        var plaintext = new byte[ciphertext.Length];
        using (var aes = new AesGcm(key.Value, tag.Length)) aes.Decrypt(nonce, ciphertext, tag, plaintext);
        return XElement.Parse(System.Text.Encoding.UTF8.GetString(plaintext));
    }
}

public static class KeyRingEncryptionExtensions
{
    /// <summary>Protects the stored key ring with the key outside the database (see <see cref="KeyRingKey"/>).</summary>
    public static IDataProtectionBuilder ProtectKeysWithKeyRingKey(this IDataProtectionBuilder builder, IConfiguration configuration)
    {
        var key = KeyRingKey.From(configuration);
        builder.Services.AddSingleton(key);
        builder.Services.Configure<KeyManagementOptions>(options => options.XmlEncryptor = new KeyRingXmlEncryptor(key));
        return builder;
    }
}
