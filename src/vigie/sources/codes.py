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
        # ingest: format detection and OCDS
        "unknown_format",
        "empty_file",
        "not_ocds",
        "ocds_no_ocid",
        "ocds_linked_only",
        "ocds_line_too_long",
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
        # ingest: OCDS and currencies
        "currency_repaired",
        "currency_unknown",
        "no_currency",
        "ocds_not_counted",
        "ocds_party_unresolved",
    }
)
CODES = REJECTION_CODES | WARNING_CODES

INGEST_CODES = frozenset(
    {
        "unknown_format",
        "empty_file",
        "not_ocds",
        "ocds_no_ocid",
        "ocds_linked_only",
        "ocds_line_too_long",
        "currency_repaired",
        "currency_unknown",
        "no_currency",
        "ocds_not_counted",
        "ocds_party_unresolved",
    }
)
"""Codes produced by format detection and the OCDS reader (not by the DECP v1 reader)."""
