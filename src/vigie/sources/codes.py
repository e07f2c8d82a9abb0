"""Every reason and remark code a reader can produce (each is translated in the catalogues)."""

REJECTION_CODES = frozenset(
    {
        "file_too_large",
        "zip_unreadable",
        "zip_too_many_members",
        "zip_encrypted",
        "zip_nested",
        "zip_member_too_large",
        "zip_ratio",
        "zip_corrupt",
        "not_decp",
        "broken_json",
        "not_object",
        "duplicate",
        "missing_id",
    }
)
WARNING_CODES = frozenset(
    {
        "not_utf8",
        "lost_characters",
        "no_buyer",
        "suppliers_not_list",
        "no_supplier",
        "no_amount",
        "amount_not_number",
        "amount_out_of_range",
        "no_date",
        "bad_date",
        "impossible_date",
        "bad_cpv",
        "cpv_leading_zero",
    }
)
CODES = REJECTION_CODES | WARNING_CODES

# DECP modifications, republished versions and SIRENE names (docs/inputs.md).
REJECTION_CODES = REJECTION_CODES | frozenset({"decp_republished", "decp_v2_not_decp"})
WARNING_CODES = WARNING_CODES | frozenset(
    {
        "decp_same_id",
        "decp_completed",
        "decp_modifications_not_list",
        "decp_bad_modification",
        "decp_modification_bad_amount",
        "decp_modified_amount",
        "decp_modified_suppliers",
        "decp_sirene_missing",
        "decp_sirene_unnamed",
    }
)
CODES = REJECTION_CODES | WARNING_CODES
