import type { VsphereClient } from './client.js';
import type { MoRef, ServiceContent, UserSession } from './types.js';

const SERVICE_INSTANCE: MoRef = { type: 'ServiceInstance', value: 'ServiceInstance' };

function sessionManager(c: VsphereClient): MoRef {
  const sm = c.serviceContent.sessionManager;
  if (!sm) throw new Error('ServiceContent has no sessionManager');
  return sm;
}

/** ServiceInstance.RetrieveServiceContent. */
export function retrieveServiceContent(c: VsphereClient): Promise<ServiceContent> {
  return c.invoke('RetrieveServiceContent', { _this: SERVICE_INSTANCE });
}

/** SessionManager.Login. Prefer `VsphereClient.connect`, which keeps the session cookie. */
export function login(
  c: VsphereClient,
  userName: string,
  password: string,
  locale?: string,
): Promise<UserSession> {
  return c.invoke('Login', { _this: sessionManager(c), userName, password, locale });
}

/** SessionManager.Logout. */
export async function logout(c: VsphereClient): Promise<void> {
  await c.invoke('Logout', { _this: sessionManager(c) });
}
