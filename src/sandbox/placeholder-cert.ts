// A self-signed placeholder certificate and its key (P-256, CN=conftune-verify-placeholder, valid
// until 2126), generated once for conftune. Verification puts them in place of certificate files
// that cannot be read on this machine, so nginx -t checks the rest of the configuration instead
// of stopping at the first missing certificate. Not secret: it protects nothing.

export const PLACEHOLDER_CERT = `-----BEGIN CERTIFICATE-----
MIIBpDCCAUmgAwIBAgIUfDMgOwhibCjp76lUDNOu/zS/43UwCgYIKoZIzj0EAwIw
JjEkMCIGA1UEAwwbY29uZnR1bmUtdmVyaWZ5LXBsYWNlaG9sZGVyMCAXDTI2MTEy
OTAwNDk0OVoYDzIxMjYxMTA1MDA0OTQ5WjAmMSQwIgYDVQQDDBtjb25mdHVuZS12
ZXJpZnktcGxhY2Vob2xkZXIwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARLC0MR
V9OtZjLqTDQ3AgaCb1xlkvageU+dmw24UaAzvWfpXO1LrLxFQVa85Y/5Dpha/1eu
fc1zgzQQYrBr5dwho1MwUTAdBgNVHQ4EFgQUbPIkSM+BSYfTZjVBPxhgr2kV1D4w
HwYDVR0jBBgwFoAUbPIkSM+BSYfTZjVBPxhgr2kV1D4wDwYDVR0TAQH/BAUwAwEB
/zAKBggqhkjOPQQDAgNJADBGAiEArJJ+IHKn3h4vQ1JUeWXY7GvHJawRQKPemuig
25FzsEUCIQCSRncsqkODWz00Pv4i0B1A0hv5fcU/Wv7OTXcyyvMfbw==
-----END CERTIFICATE-----
`;

export const PLACEHOLDER_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgi7uZkmgZ8kIlrUAG
eoE/S+hZpTxe0Eq6mTbhyM4nz0WhRANCAARLC0MRV9OtZjLqTDQ3AgaCb1xlkvag
eU+dmw24UaAzvWfpXO1LrLxFQVa85Y/5Dpha/1eufc1zgzQQYrBr5dwh
-----END PRIVATE KEY-----
`;
