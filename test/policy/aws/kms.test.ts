// FSBP KMS controls on keys: compliant, omitted (judged by the provider's default), non-compliant.
import { checkRule, unsetOrFalse } from "../../support/policy";

describe("policy pack: KMS", () => {
    checkRule("kms-4-key-rotation", "aws:kms/key:Key", [
        ["rotated", { enableKeyRotation: true }, null],
        ["signing", { customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" }, null],
        ["hmac", { customerMasterKeySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" }, null],
        ...unsetOrFalse("enableKeyRotation"),
    ]);
});
