// One call that loads train/validation/test CSV files with a schema fitted on the training file only.
namespace Mtl.Data;

/// <summary>Train, optional validation and test datasets, and the transform fitted on the training file.</summary>
/// <param name="Train">The encoded training rows.</param>
/// <param name="Validation">The encoded validation rows, if a file was given.</param>
/// <param name="Test">The encoded test rows, if a file was given.</param>
/// <param name="Transform">Fitted on <paramref name="Train"/>'s file only; save it for prediction.</param>
public sealed record TabularSplits(TabularDataset Train, TabularDataset? Validation, TabularDataset? Test, FittedTabularTransform Transform);

/// <summary>Loading delimited files into <see cref="TabularDataset"/>s.</summary>
public static class TabularData
{
    /// <summary>
    /// Reads the files (separator from <paramref name="schema"/>, header row required), fits the schema on the
    /// training file only and encodes every file with that fit.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="DataFileException">A file is empty or malformed, or a value does not fit the schema.</exception>
    public static TabularSplits Load(TabularSchema schema, string trainPath, string? validationPath = null, string? testPath = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var train = CsvTable.Load(trainPath, schema.Separator);
        var transform = FittedTabularTransform.Fit(schema, train);
        TabularDataset? Other(string? path) => path is null ? null : transform.Transform(CsvTable.Load(path, schema.Separator));
        return new TabularSplits(transform.Transform(train), Other(validationPath), Other(testPath), transform);
    }
}
