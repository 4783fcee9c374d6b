export { makeCall, type Answer, type Call } from '@trellis/platform/testing/http-call';
