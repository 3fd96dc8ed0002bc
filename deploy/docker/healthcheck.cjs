// Container HEALTHCHECK: exits 0 when the process in this container answers.
// gRPC services: grpc.health.v1 Check on 127.0.0.1:$PORT must say SERVING.
// The dashboard (APP=dashboard, or HEALTHCHECK_HTTP_PATH set): GET /healthz on 127.0.0.1:$PORT must return 2xx.
// HEALTHCHECK_HOST checks another host instead (the Helm chart's test pod, CI scripts).
// With TLS_CA_FILE (and TLS_CERT_FILE/TLS_KEY_FILE for mutual TLS) it speaks TLS, as the services' clients do;
// HEALTHCHECK_SERVER_NAME is the name to expect in the server's certificate (e.g. the Service's name when
// checking 127.0.0.1 from inside the pod).
'use strict';
const port = Number(process.env.PORT || 50051);
const host = process.env.HEALTHCHECK_HOST || '127.0.0.1';
const httpPath = process.env.HEALTHCHECK_HTTP_PATH || (process.env.APP === 'dashboard' ? '/healthz' : undefined);
const deadlineMs = 4000;

function fail(message) {
  console.error(`unhealthy: ${message}`);
  process.exit(1);
}

if (httpPath) {
  const http = require('node:http');
  const request = http.get({ host, port, path: httpPath, timeout: deadlineMs }, (response) => {
    response.resume();
    if (response.statusCode >= 200 && response.statusCode < 300) process.exit(0);
    fail(`GET ${httpPath} returned ${response.statusCode}`);
  });
  request.on('timeout', () => request.destroy(new Error('timeout')));
  request.on('error', (error) => fail(`GET ${httpPath}: ${error.message}`));
} else {
  const grpc = require('@grpc/grpc-js');
  const { service } = require('grpc-health-check');
  const Health = grpc.makeClientConstructor(service, 'grpc.health.v1.Health');
  const fs = require('node:fs');
  const env = process.env;
  const read = (file) => (file ? fs.readFileSync(file) : null);
  const credentials = env.TLS_CA_FILE
    ? grpc.credentials.createSsl(read(env.TLS_CA_FILE), read(env.TLS_KEY_FILE), read(env.TLS_CERT_FILE))
    : grpc.credentials.createInsecure();
  const serverName = env.HEALTHCHECK_SERVER_NAME || env.TLS_SERVER_NAME;
  const client = new Health(`${host}:${port}`, credentials, serverName ? { 'grpc.ssl_target_name_override': serverName } : {});
  client.check({ service: '' }, { deadline: Date.now() + deadlineMs }, (error, response) => {
    client.close();
    if (error) fail(`gRPC health of ${host}:${port}: ${error.message}`);
    if (response.status !== 'SERVING') fail(`gRPC health of ${host}:${port}: ${response.status}`);
    process.exit(0);
  });
}
