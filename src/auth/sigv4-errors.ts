// The errors a SigV4 verification answers, with AWS's codes, statuses and wording.
// Codes and statuses: https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
// Wording: what AWS's Query-protocol services answer (as recorded by dacut/scratchstack-aws-signature,
// which reproduces AWS's "Auth Error Ordering"); where a message is S3's, it says so.
import { IamError } from '../errors.js';

/** AWS's answer to any signature that does not verify; the specific reason stays in `cause`. */
export const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** SignatureDoesNotMatch (403). `reason` is for logs only: AWS tells the caller no more than the message. */
export const signatureDoesNotMatch = (message = SIGNATURE_MISMATCH_MESSAGE, reason?: string): IamError =>
  new IamError('SignatureDoesNotMatch', message, 403, reason ? { cause: new Error(reason) } : undefined);

/** IncompleteSignature (400): the signature's parts are missing or malformed. */
export const incompleteSignature = (message: string): IamError => new IamError('IncompleteSignature', message, 400);

/** MissingAuthenticationToken (403): the request carries no SigV4 signature at all. */
export const missingAuthenticationToken = (): IamError =>
  new IamError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);

/** InvalidClientTokenId (403): the access key id is not one we know. */
export const invalidClientTokenId = (): IamError =>
  new IamError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);

/** RequestExpired (400): a presigned request used after its X-Amz-Date + X-Amz-Expires. */
export const requestExpired = (): IamError => new IamError('RequestExpired', 'Request has expired.', 400);
