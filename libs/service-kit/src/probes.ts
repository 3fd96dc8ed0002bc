import { BinaryReader } from '@bufbuild/protobuf/wire';
import { credentials, loadPackageDefinition, makeClientConstructor, type Client, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { service as healthServiceDefinition, type ServingStatus } from 'grpc-health-check';
import { join } from 'node:path';
import { channelCredentials, clientTlsFromEnv, tlsChannelOptions, type ClientTlsOptions } from './tls-credentials';

// Small clients for a service's standard endpoints: readiness checks, the CLI, tests.
// (No grpcurl in Debian; these stand in for it.) TLS as the clients: from the env (TLS_CA_FILE …) unless given.

const HealthClient = makeClientConstructor(healthServiceDefinition, 'grpc.health.v1.Health');

/** grpc.health.v1 Check: the serving status of `service` ("" = the whole server). */
export function checkHealth(address: string, service = '', deadlineMs = 5_000, tls = clientTlsFromEnv()): Promise<ServingStatus | 'SERVICE_UNKNOWN'> {
  const client = new HealthClient(address, channelCredentials(tls), tlsChannelOptions(tls));
  return new Promise((resolve, reject) => {
    const check = (client as unknown as Record<string, CallableFunction>).check.bind(client);
    check({ service }, { deadline: Date.now() + deadlineMs }, (error: ServiceError | null, response: { status: string }) => {
      client.close();
      if (error) reject(error);
      else resolve(response.status as ServingStatus | 'SERVICE_UNKNOWN');
    });
  });
}

const reflectionProtoDir = join(require.resolve('@grpc/reflection/package.json'), '..', 'build', 'proto');
const reflectionPackage = loadPackageDefinition(
  protoLoader.loadSync('grpc/reflection/v1/reflection.proto', { includeDirs: [reflectionProtoDir], keepCase: true }),
) as unknown as { grpc: { reflection: { v1: { ServerReflection: new (address: string, creds: ReturnType<typeof credentials.createInsecure>, options: object) => Client } } } };

interface ReflectionResponse {
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
}

/** One request on the reflection stream (grpc.reflection.v1). */
function reflect(address: string, request: Record<string, string>, deadlineMs: number, tls: ClientTlsOptions | undefined): Promise<ReflectionResponse> {
  const client = new reflectionPackage.grpc.reflection.v1.ServerReflection(address, channelCredentials(tls), tlsChannelOptions(tls));
  return new Promise((resolve, reject) => {
    const open = (client as unknown as Record<string, CallableFunction>).ServerReflectionInfo.bind(client);
    const stream: ClientDuplexStream<Record<string, string>, ReflectionResponse> = open({ deadline: Date.now() + deadlineMs });
    stream.once('data', (response: ReflectionResponse) => {
      stream.cancel();
      client.close();
      if (response.error_response) reject(new Error(`reflection: ${response.error_response.error_message} (code ${response.error_response.error_code})`));
      else resolve(response);
    });
    stream.once('error', (error: ServiceError) => {
      client.close();
      if (error.code !== 1 /* CANCELLED, by us after the answer */) reject(error);
    });
    stream.write(request);
  });
}

/** Names of the services a server offers, by reflection. */
export async function listServicesByReflection(address: string, deadlineMs = 5_000, tls = clientTlsFromEnv()): Promise<string[]> {
  const response = await reflect(address, { list_services: '' }, deadlineMs, tls);
  return (response.list_services_response?.service ?? []).map((s) => s.name).sort();
}

/** The essentials of a FileDescriptorProto: file name, package, services and their methods. */
export interface ReflectedFile {
  name: string;
  package: string;
  services: { name: string; methods: string[] }[];
}

/** The .proto files (with dependencies) that declare `symbol`, e.g. "conjugate.v1.DataService". */
export async function describeSymbolByReflection(address: string, symbol: string, deadlineMs = 5_000, tls = clientTlsFromEnv()): Promise<ReflectedFile[]> {
  const response = await reflect(address, { file_containing_symbol: symbol }, deadlineMs, tls);
  return (response.file_descriptor_response?.file_descriptor_proto ?? []).map(decodeFileDescriptor);
}

// FileDescriptorProto: 1 name, 2 package, 6 service (ServiceDescriptorProto: 1 name, 2 method (MethodDescriptorProto: 1 name)).
function decodeFileDescriptor(bytes: Uint8Array): ReflectedFile {
  const file: ReflectedFile = { name: '', package: '', services: [] };
  forEachField(bytes, (field, reader, wireType) => {
    if (field === 1) file.name = reader.string();
    else if (field === 2) file.package = reader.string();
    else if (field === 6) {
      const service = { name: '', methods: [] as string[] };
      forEachField(reader.bytes(), (sf, sr, swt) => {
        if (sf === 1) service.name = sr.string();
        else if (sf === 2) forEachField(sr.bytes(), (mf, mr, mwt) => (mf === 1 ? service.methods.push(mr.string()) : mr.skip(mwt)));
        else sr.skip(swt);
      });
      file.services.push(service);
    } else reader.skip(wireType);
  });
  return file;
}

function forEachField(bytes: Uint8Array, visit: (field: number, reader: BinaryReader, wireType: number) => void) {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    visit(field, reader, wireType);
  }
}
