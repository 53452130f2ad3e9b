// The vCenter URL a user types: https://vc.example.com/sdk. Checked up front, so a missing scheme or /sdk is a
// usage error that says what to type, not a TypeError or a login failure later.

/** The URL, or a message saying what is wrong with it. */
export function checkVcenterUrl(text: string): { url: string } | { problem: string } {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    return { problem: `--url ${text} has no scheme: write https://${text.replace(/^\/+/, '')}` };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: `--url ${text} is not a URL (expected https://vcenter.example.com/sdk)` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { problem: `--url ${text}: use https:// (vCenter's SDK speaks HTTPS)` };
  }
  if (url.pathname.replace(/\/+$/, '') !== '/sdk') {
    const fixed = `${url.protocol}//${url.host}/sdk`;
    return {
      problem: `--url ${text} does not end in /sdk, the path of vCenter's SDK endpoint: use ${fixed}`,
    };
  }
  return { url: text };
}
