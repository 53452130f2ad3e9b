// A WORKFLOW_CONFIG document for unit tests.
import { parseConfig, type WorkflowConfig } from './config.js';

export const TEST_CONFIG_JSON = JSON.stringify({
  vcenter: { url: 'https://vc.example.com/sdk', secretId: 'ic/vcenter' },
  sources: {
    linux: {
      paths: ['/DC/vm/src/linux-a', '/DC/vm/src/linux-b'],
      os: 'linux',
      guestSecretId: 'ic/guest/linux',
    },
    windows: {
      paths: ['/DC/vm/src/win'],
      os: 'windows',
      nicName: 'Ethernet0',
      guestSecretId: 'ic/guest/win',
    },
  },
  defaults: { maxConcurrency: 4, leaseMinutes: 30 },
});

export const testConfig = (): WorkflowConfig => parseConfig(TEST_CONFIG_JSON);
