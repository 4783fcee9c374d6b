import { Client } from 'minio';

export type ObjectStoreConfig = {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
};

export type ObjectStore = { client: Client; bucket: string; check: () => Promise<void>; ensureBucket: () => Promise<void> };

/** Every piece of Trellis reaches the store through the minio client, so Minio, s3rver or any S3 serves. */
export function makeObjectStore(config: ObjectStoreConfig): ObjectStore {
  const url = new URL(config.endpoint);
  const useSSL = url.protocol === 'https:';
  const client = new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: config.accessKey,
    secretKey: config.secretKey,
    region: config.region,
    pathStyle: true,
  });
  return {
    client,
    bucket: config.bucket,
    check: async () => {
      if (!(await client.bucketExists(config.bucket))) throw new Error(`bucket ${config.bucket} does not exist`);
    },
    ensureBucket: async () => {
      if (!(await client.bucketExists(config.bucket))) await client.makeBucket(config.bucket, config.region);
    },
  };
}

export function objectStoreConfigFromEnv(env: {
  TRELLIS_S3_ENDPOINT: string;
  TRELLIS_S3_ACCESS_KEY: string;
  TRELLIS_S3_SECRET_KEY: string;
  TRELLIS_S3_BUCKET: string;
  TRELLIS_S3_REGION: string;
}): ObjectStoreConfig {
  return {
    endpoint: env.TRELLIS_S3_ENDPOINT,
    accessKey: env.TRELLIS_S3_ACCESS_KEY,
    secretKey: env.TRELLIS_S3_SECRET_KEY,
    bucket: env.TRELLIS_S3_BUCKET,
    region: env.TRELLIS_S3_REGION,
  };
}
