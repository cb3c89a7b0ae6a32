// A site config as plant IT writes it on a USB stick (docs/sync.md "USB site configuration"):
// secrets sealed for the box, the bundle key, the initial bundle next to the file, the first
// admin account.
export interface UsbSite {
  stateDir: string;
  sealedPassword: string;
  sealedToken: string;
  /** The first admin account's password, sealed for the box (or in clear, to test the warning). */
  sealedAdmin: string;
  publicKey: string;
  centralUrl?: string;
  bundle?: string;
}

export const usbConfig = (u: UsbSite): string => `# Refinery North: site config for the Outpost box in the control room.
site: { id: refinery-north, domain: refinery-north.example, name: Refinery North }
stateDir: ${JSON.stringify(u.stateDir)}
log: { level: warn }
api:
  listen: { host: 127.0.0.1, port: 0 }
acs:
  listen: { host: 127.0.0.1, port: 0 }
  auth:
    bootstrap:
      username: site-bootstrap
      password: ${u.sealedPassword}
dhcp:
  enabled: true
  port: 0
  listen: [127.0.0.1]
  serverId: 127.0.0.1
  scopes:
    - name: voice
      subnet: 10.20.0.0/24
      ranges: [{ start: 10.20.0.100, end: 10.20.0.199 }]
      router: [10.20.0.1]
      dns: [10.20.0.2]
dns:
  enabled: true
  listen: { host: 127.0.0.1, port: 0 }
sync:
  central:
    url: ${u.centralUrl ?? 'http://127.0.0.1:9/'}
    token: ${u.sealedToken}
  publicKey: ${u.publicKey}
  initialBundle: ${u.bundle ?? 'site.bundle.json'}
admin:
  username: plant-admin
  password: ${u.sealedAdmin}
`;
