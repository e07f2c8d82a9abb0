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
        "ocds_merged_across_files",
        "ocds_merge_unavailable",
    }
)

# EU TED (R2.0.9, eForms UBL), safe XML and spreadsheets (xml area).
XML_REJECTION_CODES = frozenset(
    {
        "xml_malformed",
        "xml_dtd",
        "xml_tar_unreadable",
        "ted_not_ted",
        "ted_no_form",
        "ted_unsupported_form",
        "ted_not_award",
        "ted_modification",
        "ted_not_awarded",
        "eforms_not_eforms",
        "eforms_not_award",
        "eforms_modification",
        "eforms_not_awarded",
        "tabular_unreadable",
        "tabular_no_sheet",
        "tabular_no_header",
        "tabular_missing_columns",
        "tabular_broken_csv",
        "tabular_extra_cells",
        "tabular_no_party",
    }
)
XML_WARNING_CODES = frozenset(
    {
        "xml_no_buyer",
        "xml_no_contractor",
        "xml_no_currency",
        "xml_bad_currency",
        "xml_currency_repaired",
        "xml_unknown_country",
        "xml_value_range",
        "xml_date_from_notice",
        "ted_translation_only",
        "eforms_unknown_org",
        "eforms_summed_tenders",
        "eforms_value_counted",
        "tabular_encoding_guessed",
        "tabular_encoding_failed",
    }
)
REJECTION_CODES = REJECTION_CODES | XML_REJECTION_CODES
WARNING_CODES = WARNING_CODES | XML_WARNING_CODES
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
        "decp_merged_across_files",
        "decp_merge_unavailable",
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
        "ocds_merged_across_files",
        "ocds_merge_unavailable",
    }
)
"""Codes produced by format detection, the OCDS reader and the merge of OCDS processes across
files (not by the DECP v1 reader)."""
