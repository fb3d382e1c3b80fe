// FSBP KMS controls on keys: compliant, omitted (judged by the provider's default), non-compliant.
import { checkRule } from "../../support/policy";

describe("policy pack: KMS", () => {
    checkRule({
        policy: "kms-4-key-rotation",
        type: "aws:kms/key:Key",
        rows: [
            ["rotated", { enableKeyRotation: true }, null],
            ["signing", { customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" }, null],
            ["hmac", { customerMasterKeySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" }, null],
            ["omitted", {}, "enableKeyRotation is not set (default false): set it to true"],
            ["off", { enableKeyRotation: false }, "enableKeyRotation is false: set it to true"],
        ],
    });
});
