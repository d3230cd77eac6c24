namespace InteropTracker.Reports;

/// <summary>What both writers print under the attribute shares and the evidence grid, so the workbook and the PDF say the same.</summary>
public static class ReportNotes
{
    public const string AttributeShares =
        "Share = results naming the value / executed results (pass + fail) of the plan, or of the technology for all plans. " +
        "A value no executed result names is not listed; an attribute's shares fall short of 100% by the results that named none of its values.";

    public const string Evidence =
        "Each cell: the evidence files (traces, logs, screenshots) attached to its current results. The files stay with the " +
        "results, for the two vendors, the chairs and the admins.";

    public const string NoEvidence = "No evidence file is attached to any of this technology's results.";
}
