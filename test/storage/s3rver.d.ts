// s3rver ships no type declarations; this is the part of its API the storage tests use.
declare module 's3rver' {
  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    configureBuckets?: Array<{ name: string; configs?: Array<string | Buffer> }>;
  }

  export default class S3rver {
    constructor(options: S3rverOptions);
    /** Resolves with the listening address. */
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
}
