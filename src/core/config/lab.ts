// The built-in lab site used by `npm start`: everything on loopback, unprivileged ports, state
// in ./var/lab. Phones in the lab are simulated (npm run sim). main.ts appends the generated
// bootstrap credential under `acs:` (which therefore stays the last section).
export const LAB_CONFIG = `# Outpost built-in lab site (npm start)
site:
  id: lab
  domain: lab.outpost.test
  name: Outpost lab
stateDir: ./var/lab
api:
  listen: { host: 127.0.0.1, port: 8080 }
dns:
  enabled: true
  listen: { host: 127.0.0.1, port: 5353 }
stun:
  enabled: true
  listen: { host: 127.0.0.1, port: 3478 }
provisioning:
  directory: ./examples/site
  defaultZone: offices
acs:
  listen: { host: 127.0.0.1, port: 7547 }
  url: https://127.0.0.1:7547/
`;
