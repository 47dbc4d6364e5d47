/**
 * The S3 adapter of the object store. Server-side encryption with a customer-managed KMS key when one is
 * configured (DESIGN §8: raw and curated are PHI); the bucket policy enforces TLS, not this code.
 */
import {
  DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { assertLakeKey, ObjectStoreError, type ObjectStore } from './object-store.ts';

export interface S3StoreOptions {
  client: S3Client;
  bucket: string;
  /** KMS key id or ARN: objects are written with SSE-KMS under it. Without it, the bucket default applies. */
  kmsKeyId?: string;
}

export function createS3Store({ client, bucket, kmsKeyId }: S3StoreOptions): ObjectStore {
  const encryption = kmsKeyId === undefined
    ? {}
    : { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: kmsKeyId, BucketKeyEnabled: true };
  return {
    async put(key, body, contentType) {
      assertLakeKey(key);
      try {
        await client.send(new PutObjectCommand({
          Bucket: bucket, Key: key, Body: body, ContentLength: body.byteLength,
          ...(contentType === undefined ? {} : { ContentType: contentType }), ...encryption,
        }));
      } catch (error) {
        throw new ObjectStoreError('put', key, error);
      }
    },
    async get(key) {
      assertLakeKey(key);
      try {
        const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (response.Body === undefined) return new Uint8Array();
        return await response.Body.transformToByteArray();
      } catch (error) {
        if (error instanceof NoSuchKey || (error as { name?: unknown }).name === 'NoSuchKey') return undefined;
        throw new ObjectStoreError('get', key, error);
      }
    },
    async list(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      try {
        do {
          const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
          for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
          token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
        } while (token !== undefined);
      } catch (error) {
        throw new ObjectStoreError('list', prefix, error);
      }
      return keys.sort();
    },
    async delete(key) {
      assertLakeKey(key);
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      } catch (error) {
        throw new ObjectStoreError('delete', key, error);
      }
    },
  };
}
