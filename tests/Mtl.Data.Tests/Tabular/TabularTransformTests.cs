// Tests of schema fitting and encoding: one-hot/index categories from train only, <unk>, standardisation, masks, errors.
namespace Mtl.Data.Tests;

public class TabularTransformTests
{
    private static readonly double[] TrainAge = [34, 45, 29, 52, 41, 38];

    private static TabularSchema Schema() => new TabularSchema()
        .Numeric("age", "income")
        .Categorical("city")
        .Categorical("plan", CategoricalEncoding.Index, UnknownCategoryPolicy.Error)
        .Classification("churned", classes: ["no", "yes"])
        .Regression("spend");

    private static TabularSplits LoadFixtures() =>
        TabularData.Load(Schema(), TextTestFiles.Fixture("customers_train.csv"), TextTestFiles.Fixture("customers_valid.csv"));

    private static float[] Row(TabularDataset d, int i)
    {
        var x = new float[d.Input.Shape[0]];
        Assert.Equal(x.Length, d.ReadInput(i, x));
        return x;
    }

    private static float? Label(IMultiTaskDataset d, int i, int task)
    {
        var y = new float[1];
        return d.ReadLabel(i, task, y) ? y[0] : null;
    }

    [Fact]
    public void FixtureEncodesFeaturesInDeclarationOrder()
    {
        var s = LoadFixtures();
        Assert.Equal(["age", "income", "city=<unk>", "city=Lyon", "city=Nice", "city=Paris", "plan"], s.Transform.FeatureNames);
        Assert.Equal(6, s.Train.Count);
        Assert.Equal([7], s.Train.Input.Shape);
        Assert.Equal(DType.Float32, s.Train.Input.DType);
        Assert.False(s.Train.Input.VariableLength);
        // Row 4 (" Lyon " trimmed) is one-hot Lyon; plan index basic = 0, premium = 1 (ordinal order, no <unk> under Error).
        Assert.Equal([0f, 1f, 0f, 0f], Row(s.Train, 4)[2..6]);
        Assert.Equal(0f, Row(s.Train, 4)[6]);
        Assert.Equal(1f, Row(s.Train, 1)[6]);
        Assert.Equal(["basic", "premium"], s.Transform.CategoriesOf("plan"));
        Assert.Equal(7L, s.Train.SourceLine(4));
    }

    [Fact]
    public void StandardisationUsesTrainingStatisticsOnly()
    {
        var s = LoadFixtures();
        double mean = TrainAge.Average();
        double std = Math.Sqrt(TrainAge.Sum(a => (a - mean) * (a - mean)) / TrainAge.Length);
        var (m, sd) = s.Transform.StatisticsOf("age");
        Assert.Equal(mean, m, 12);
        Assert.Equal(std, sd, 12);
        for (int i = 0; i < TrainAge.Length; i++) Assert.Equal((float)((TrainAge[i] - mean) / std), Row(s.Train, i)[0], 6);
        // Validation ages 60 and 25 use the TRAINING mean/std (not their own, which would give ±1).
        Assert.Equal((float)((60 - mean) / std), Row(s.Validation!, 0)[0], 6);
        Assert.Equal((float)((25 - mean) / std), Row(s.Validation!, 1)[0], 6);
        var trainFeatures = Enumerable.Range(0, 6).Select(i => (double)Row(s.Train, i)[0]).ToArray();
        Assert.Equal(0.0, trainFeatures.Average(), 6);
    }

    [Fact]
    public void UnseenCategoryMapsToUnkColumnAndCategoriesComeFromTrainOnly()
    {
        var s = LoadFixtures();
        Assert.Equal(["<unk>", "Lyon", "Nice", "Paris"], s.Transform.CategoriesOf("city"));   // no "Marseille"
        Assert.Equal([1f, 0f, 0f, 0f], Row(s.Validation!, 0)[2..6]);                           // Marseille -> <unk>
        Assert.Equal([0f, 0f, 0f, 1f], Row(s.Validation!, 1)[2..6]);                           // Paris
    }

    [Fact]
    public void UnseenCategoryUnderErrorPolicyNamesFileLineColumnValue()
    {
        var schema = new TabularSchema().Numeric("age").Categorical("city", unknown: UnknownCategoryPolicy.Error).Classification("churned");
        var t = FittedTabularTransform.Fit(schema, CsvTable.Load(TextTestFiles.Fixture("customers_train.csv")));
        string valid = TextTestFiles.Fixture("customers_valid.csv");
        var e = Assert.Throws<DataFileException>(() => t.Transform(CsvTable.Load(valid)));
        Assert.Contains($"{valid}, line 2, column 'city'", e.Message);
        Assert.Contains("got 'Marseille', expected one of the categories seen in the training data: Lyon, Nice, Paris", e.Message);
    }

    [Fact]
    public void IndexEncodingWithUnkReservesZero()
    {
        var schema = new TabularSchema().Numeric("age").Categorical("city", CategoricalEncoding.Index).Regression("spend");
        var s = TabularData.Load(schema, TextTestFiles.Fixture("customers_train.csv"), TextTestFiles.Fixture("customers_valid.csv"));
        Assert.Equal(["age", "city"], s.Transform.FeatureNames);
        Assert.Equal(3f, Row(s.Train, 0)[1]);       // Paris = 3 in [<unk>, Lyon, Nice, Paris]
        Assert.Equal(0f, Row(s.Validation!, 0)[1]); // Marseille -> <unk> = 0
    }

    [Fact]
    public void MissingLabelsHaveMaskZero()
    {
        var s = LoadFixtures();
        Assert.Equal([0f, 1f, null, 0f, 1f, 0f], Enumerable.Range(0, 6).Select(i => Label(s.Train, i, 0)));
        Assert.Equal([120.5f, null, 80f, 310f, 95.25f, null], Enumerable.Range(0, 6).Select(i => Label(s.Train, i, 1)));
        Assert.Null(Label(s.Validation!, 1, 0));
        Assert.Null(Label(s.Validation!, 1, 1));
        Assert.Equal(new TaskLabels("churned", LabelKind.ClassIndex, 2, 1, s.Transform.Tasks[0].ClassNames), s.Train.Tasks[0]);
        Assert.Equal(["no", "yes"], s.Train.Tasks[0].ClassNames);
        Assert.Equal(LabelKind.FloatVector, s.Train.Tasks[1].Kind);
    }

    [Fact]
    public void LearnedIntegerClassesSortNumerically()
    {
        var table = CsvTable.Parse("x,y\n1,10\n2,2\n3,1\n4,\n5,2\n", "ints.csv");
        var t = FittedTabularTransform.Fit(new TabularSchema().Numeric("x").Classification("y"), table);
        Assert.Equal(["1", "2", "10"], t.ClassesOf("y"));
        var d = t.Transform(table);
        Assert.Equal([2f, 1f, 0f, null, 1f], Enumerable.Range(0, 5).Select(i => Label(d, i, 0)));
    }

    [Fact]
    public void LabelOutsideDeclaredClassesNamesFileLineColumnAndClasses()
    {
        var table = CsvTable.Parse("age,churned\n30,no\n40,maybe\n", "labels.csv");
        var t = FittedTabularTransform.Fit(new TabularSchema().Numeric("age").Classification("churned", ["no", "yes"]), table);
        var e = Assert.Throws<DataFileException>(() => t.Transform(table));
        Assert.Contains("labels.csv, line 3, column 'churned'", e.Message);
        Assert.Contains("got label 'maybe', expected one of task 'churned' classes (declared in the schema): no, yes", e.Message);
        Assert.Equal(3, e.Line);
        Assert.Equal("churned", e.Column);
    }

    [Fact]
    public void LabelUnseenInTrainingIsAnErrorForLearnedClasses()
    {
        var schema = new TabularSchema().Numeric("age").Classification("churned");
        var t = FittedTabularTransform.Fit(schema, CsvTable.Parse("age,churned\n30,no\n40,yes\n", "train.csv"));
        var e = Assert.Throws<DataFileException>(() => t.Transform(CsvTable.Parse("age,churned\n50,perhaps\n", "valid.csv")));
        Assert.Contains("valid.csv, line 2, column 'churned': got label 'perhaps'", e.Message);
        Assert.Contains("(learned from the training data): no, yes", e.Message);
    }

    [Fact]
    public void MissingSchemaColumnNamesFileColumnAndHeader()
    {
        using var dir = new ScratchFolder();
        string path = dir.Write("t.csv", "age,income\n1,2\n");
        var schema = new TabularSchema().Numeric("age", "salary").Regression("income");
        var e = Assert.Throws<DataFileException>(() => TabularData.Load(schema, path));
        Assert.Contains($"{path}, line 1, column 'salary'", e.Message);
        Assert.Contains("missing; expected it in the header, which has: age, income", e.Message);
    }

    [Fact]
    public void NonNumericFeatureNamesFileLineColumnAndValue()
    {
        using var dir = new ScratchFolder();
        string train = dir.Write("train.csv", "age,y\n30,1.5\n\"4,0\",2\n");
        var e = Assert.Throws<DataFileException>(() => TabularData.Load(new TabularSchema().Numeric("age").Regression("y"), train));
        Assert.Contains($"{train}, line 3, column 'age': got '4,0', expected a finite number", e.Message);
        string ok = dir.Write("ok.csv", "age,y\n30,1.5\n31,2\n");
        string valid = dir.Write("valid.csv", "age,y\n30,1\n,2\n");
        var e2 = Assert.Throws<DataFileException>(() => TabularData.Load(new TabularSchema().Numeric("age").Regression("y"), ok, valid));
        Assert.Contains($"{valid}, line 3, column 'age': got an empty cell, expected a finite number", e2.Message);
        string inf = dir.Write("inf.csv", "age,y\n1e999,1\n2,2\n");
        Assert.Throws<DataFileException>(() => TabularData.Load(new TabularSchema().Numeric("age").Regression("y"), inf));
    }

    [Fact]
    public void NonNumericRegressionLabelIsAnError()
    {
        var table = CsvTable.Parse("x,y\n1,2\n2,abc\n", "r.csv");
        var t = FittedTabularTransform.Fit(new TabularSchema().Numeric("x").Regression("y"), table);
        var e = Assert.Throws<DataFileException>(() => t.Transform(table));
        Assert.Contains("r.csv, line 3, column 'y': got 'abc', expected a finite number (a regression label of task 'y')", e.Message);
    }

    [Fact]
    public void EmptyFileAndHeaderOnlyFileAreErrors()
    {
        using var dir = new ScratchFolder();
        var schema = new TabularSchema().Numeric("x").Regression("y");
        var e = Assert.Throws<DataFileException>(() => TabularData.Load(schema, dir.Write("empty.csv", "")));
        Assert.Contains("empty.csv: the file is empty", e.Message);
        var e2 = Assert.Throws<DataFileException>(() => TabularData.Load(schema, dir.Write("header.csv", "x,y\n")));
        Assert.Contains("header.csv: the table has no data rows; expected at least one training row", e2.Message);
    }

    [Fact]
    public void ZeroVarianceFeatureGetsUnitStd()
    {
        var table = CsvTable.Parse("x,y\n5,1\n5,2\n", "c.csv");
        var t = FittedTabularTransform.Fit(new TabularSchema().Numeric("x").Regression("y"), table);
        Assert.Equal((5.0, 1.0), t.StatisticsOf("x"));
        var x = new float[1];
        t.Transform(table).ReadInput(1, x);
        Assert.Equal(0f, x[0]);
    }

    [Fact]
    public void StandardizeOffKeepsRawValues()
    {
        var table = CsvTable.Parse("x,y\n5,1\n7,2\n", "c.csv");
        var d = FittedTabularTransform.Fit(new TabularSchema { Standardize = false }.Numeric("x").Regression("y"), table).Transform(table);
        var x = new float[1];
        d.ReadInput(1, x);
        Assert.Equal(7f, x[0]);
    }

    [Fact]
    public void PredictionTableWithoutLabelColumnsNeedsRequireLabelsFalse()
    {
        var s = LoadFixtures();
        var table = CsvTable.Parse("age,income,city,plan\n33,51000,Nice,basic\n", "predict.csv");
        Assert.Throws<DataFileException>(() => s.Transform.Transform(table));
        var d = s.Transform.Transform(table, requireLabels: false);
        Assert.Null(Label(d, 0, 0));
        Assert.Null(Label(d, 0, 1));
        Assert.Equal([0f, 0f, 1f, 0f], Row(d, 0)[2..6]);
    }

    [Fact]
    public void TsvSchemaReadsTabSeparatedFiles()
    {
        var schema = new TabularSchema { Separator = '\t' }.Numeric("age").Categorical("city").Classification("churned", ["no", "yes"]);
        var s = TabularData.Load(schema, TextTestFiles.Fixture("customers_test.tsv"));
        Assert.Equal(2, s.Train.Count);
        Assert.Equal(1f, Label(s.Train, 1, 0));
    }

    [Fact]
    public void LearnedClassesNeedTwoDistinctLabels()
    {
        var table = CsvTable.Parse("x,y\n1,a\n2,\n3,a\n", "one.csv");
        var e = Assert.Throws<DataFileException>(() => FittedTabularTransform.Fit(new TabularSchema().Numeric("x").Classification("y"), table));
        Assert.Contains("one.csv, column 'y': task 'y': the training labels hold 1 distinct class ('a'); expected at least 2", e.Message);
    }

    [Fact]
    public void SchemaMisuseIsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new TabularSchema().Numeric("a").Regression("a"));
        Assert.Throws<ArgumentException>(() => new TabularSchema().Regression("a", "t").Regression("b", "t"));
        Assert.Throws<ArgumentException>(() => new TabularSchema().Classification("c", ["x", "x"]));
        Assert.Throws<ArgumentException>(() => new TabularSchema().Classification("c", ["x"]));
        Assert.Throws<ArgumentException>(() => new TabularSchema().Categorical("c", categories: ["<unk>", "a"]));
        var table = CsvTable.Parse("x,y\n1,2\n", "t.csv");
        Assert.Throws<ArgumentException>(() => FittedTabularTransform.Fit(new TabularSchema().Regression("y"), table));
        Assert.Throws<ArgumentException>(() => FittedTabularTransform.Fit(new TabularSchema().Numeric("x"), table));
    }

    [Fact]
    public void DatasetRejectsBadIndicesAndTokenReads()
    {
        var d = LoadFixtures().Train;
        Assert.Throws<ArgumentOutOfRangeException>(() => d.ReadInput(6, new float[7]));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.ReadLabel(0, 2, new float[1]));
        Assert.Throws<ArgumentException>(() => d.ReadInput(0, new float[6]));
        Assert.Throws<NotSupportedException>(() => d.ReadTokens(0, new int[7]));
    }
}
