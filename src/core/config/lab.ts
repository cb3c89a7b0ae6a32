// The built-in lab site used by `npm start`: everything on loopback, unprivileged ports, state
// in ./var/lab. Phones in the lab are simulated (npm run sim).
export const LAB_CONFIG = `# Outpost built-in lab site (npm start)
site:
  id: lab
  domain: lab.outpost.test
  name: Outpost lab
stateDir: ./var/lab
acs:
  listen: { host: 127.0.0.1, port: 7547 }
  url: https://127.0.0.1:7547/
api:
  listen: { host: 127.0.0.1, port: 8080 }
`;
