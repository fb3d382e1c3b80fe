// Imported first by every entry point that loads @pulumi/pulumi: the SDK reads this once,
// at load. With it, an Output used in a template literal throws instead of printing a warning.
process.env.PULUMI_ERROR_OUTPUT_STRING ??= "true";
