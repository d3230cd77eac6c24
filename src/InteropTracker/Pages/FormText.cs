namespace InteropTracker.Pages;

/// <summary>Form fields as the API's request records take them: model binding turns an empty field into null.</summary>
public static class FormText
{
    public static string Text(string? value) => value?.Trim() ?? "";
}
