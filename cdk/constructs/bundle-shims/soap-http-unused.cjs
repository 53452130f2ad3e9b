// Stands in, in the handler bundles, for the packages only node-soap's own HTTP stack uses (axios with form-data
// and mime-db, axios-ntlm, whatwg-mimetype, formidable): node-soap loads them when soap/lib/http.js is evaluated,
// but calls them only from its HttpClient (when a client is built without `httpClient`, or a WSDL has remote
// imports) and from MTOM parsing. VsphereClient always passes its own transport and the bundled WSDL has no
// imports, so none of these functions runs; if one ever did, it fails loudly here instead of sending a request.
function notBundled() {
  throw new Error(
    "node-soap's own HTTP client is not in this bundle (cdk/constructs/handler-bundle.ts): pass httpClient to soap.Client",
  );
}
module.exports = {
  create: notBundled,
  NtlmClient: notBundled,
  MIMEType: notBundled,
  MultipartParser: notBundled,
};
